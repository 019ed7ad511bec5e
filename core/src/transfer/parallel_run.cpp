// runParallel (see parallel_run.hpp): worker fibers take jobs from a shared list; the caller waits
// on a Notifier, which works both on a plain thread and on a fiber.
#include "transfer/parallel_run.hpp"

#include "async/fiber.hpp"
#include "sockt/errors.hpp"

#include <algorithm>
#include <exception>
#include <memory>
#include <mutex>

namespace sockt::detail::transfer {
namespace {

struct Shared {
    std::mutex mutex;
    std::vector<Job> jobs;
    std::vector<std::uint64_t> done_of; // bytes done per job
    std::size_t next = 0;
    std::uint64_t in_flight = 0; // sizes of the running jobs
    std::uint64_t budget = 0;
    std::uint64_t bytes_done = 0;
    std::size_t files_done = 0;
    int workers = 0;
    std::exception_ptr error;
    CancelToken stop; // cancels the running jobs (first failure, or the caller's token)
    fiber::Notifier changed;
};

void worker(const std::shared_ptr<Shared>& s) {
    while (true) {
        std::size_t index = 0;
        {
            std::unique_lock<std::mutex> lock(s->mutex);
            if (s->error || s->next == s->jobs.size())
                break;
            const std::uint64_t size = s->jobs[s->next].size;
            if (s->in_flight > 0 && s->in_flight + size > s->budget) {
                // Too large next to what is moving: wait for a running job to finish.
                const auto seen = s->changed.generation();
                lock.unlock();
                s->changed.wait(seen, fiber::Clock::time_point::max(), s->stop);
                if (s->stop.cancelled())
                    break;
                continue;
            }
            index = s->next++;
            s->in_flight += size;
        }
        Job& job = s->jobs[index];
        auto progress = [&s, index](std::uint64_t done) {
            {
                std::lock_guard<std::mutex> lock(s->mutex);
                std::uint64_t& mine = s->done_of[index];
                if (done <= mine)
                    return;
                s->bytes_done += done - mine;
                mine = done;
            }
            s->changed.notifyAll();
        };
        std::exception_ptr failure;
        try {
            job.run(s->stop, progress);
        } catch (...) {
            failure = std::current_exception();
        }
        {
            std::lock_guard<std::mutex> lock(s->mutex);
            s->in_flight -= job.size;
            if (failure) {
                if (!s->error)
                    s->error = failure;
            } else {
                ++s->files_done;
                // Progress counted in encoded or received bytes may end off the file size.
                s->bytes_done += job.size - std::min(job.size, s->done_of[index]);
                s->done_of[index] = job.size;
            }
        }
        if (failure)
            s->stop.cancel();
        s->changed.notifyAll();
    }
    {
        std::lock_guard<std::mutex> lock(s->mutex);
        --s->workers;
    }
    s->changed.notifyAll();
}

} // namespace

void runParallel(std::vector<Job> jobs, int concurrency, std::uint64_t memory_budget,
                 const std::function<void(std::uint64_t, std::size_t)>& on_change,
                 const CancelToken& cancel) {
    if (concurrency < 1)
        throw InvalidArgumentError({"concurrency must be at least 1", "", 0});
    auto s = std::make_shared<Shared>();
    const std::size_t count = jobs.size();
    s->jobs = std::move(jobs);
    s->done_of.assign(count, 0);
    s->budget = memory_budget;
    const int workers = static_cast<int>(std::min<std::size_t>(concurrency, count));
    s->workers = workers;
    for (int i = 0; i < workers; ++i)
        fiber::spawn([s] { worker(s); });

    const std::uint64_t link = cancel.onCancel([s] { s->stop.cancel(); });
    std::uint64_t reported_bytes = ~std::uint64_t(0);
    std::size_t reported_files = ~std::size_t(0);
    bool caller_cancelled = false;
    while (true) {
        std::uint64_t bytes;
        std::size_t files;
        int alive;
        bool failed;
        std::uint64_t seen;
        {
            std::lock_guard<std::mutex> lock(s->mutex);
            bytes = s->bytes_done;
            files = s->files_done;
            alive = s->workers;
            failed = static_cast<bool>(s->error);
            seen = s->changed.generation();
        }
        if (on_change && !failed && (bytes != reported_bytes || files != reported_files)) {
            on_change(bytes, files);
            reported_bytes = bytes;
            reported_files = files;
        }
        if (alive == 0)
            break;
        // Once cancelled, keep waiting (without the token) for the workers to stop.
        const CancelToken& watch = caller_cancelled ? CancelToken::none() : cancel;
        if (!s->changed.wait(seen, fiber::Clock::time_point::max(), watch)) {
            caller_cancelled = true;
            s->stop.cancel();
        }
    }
    cancel.removeCallback(link);
    if (caller_cancelled || cancel.cancelled())
        throw CancelledError({"the transfer was cancelled", "", 0});
    if (s->error)
        std::rethrow_exception(s->error);
}

} // namespace sockt::detail::transfer
