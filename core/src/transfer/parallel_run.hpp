// INTERNAL: runs the per-file jobs of a transfer several at a time on fibers (async/fiber.hpp),
// whichever thread or fiber asks, and reports their progress on the asking one.
#pragma once

#include "sockt/options.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace sockt::detail::transfer {

/// One file's work. `run(token, progress)` does it, calling `progress(bytes done so far)` as it
/// goes; it runs on an I/O thread and must honour `token`.
struct Job {
    std::uint64_t size = 0;
    std::function<void(const CancelToken& token,
                       const std::function<void(std::uint64_t)>& progress)>
        run;
};

/// Runs `jobs` with at most `concurrency` at once; a job larger than what `memory_budget` has left
/// waits until it fits or runs alone. `on_change(bytes_done, files_done)` is called on the calling
/// thread whenever either changed (and once at the end). The first failure cancels the jobs still
/// running and is rethrown once they have stopped; a fired `cancel` ends in CancelledError.
void runParallel(std::vector<Job> jobs, int concurrency, std::uint64_t memory_budget,
                 const std::function<void(std::uint64_t, std::size_t)>& on_change,
                 const CancelToken& cancel);

} // namespace sockt::detail::transfer
