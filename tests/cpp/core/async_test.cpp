// sockt::runAsync: core calls as fibers on the core's I/O threads — many calls
// in flight on two threads, cancellation at once, TLS without blocking, a thread and a fiber
// sharing connections, and exceptions handled across suspensions.
#include "core_test_helpers.hpp"
#include "eventually.hpp"

#include <atomic>
#include <condition_variable>
#include <gtest/gtest.h>
#include <mutex>
#include <thread>
#include <sockt/sockt.hpp>
#include <vector>

using namespace sockt;
using namespace sockt::testing;
using namespace std::chrono_literals;

namespace {

using Clock = std::chrono::steady_clock;

HttpRequest get(const std::string& path) {
    return HttpRequest{"GET", path};
}

// Waits on a plain thread for `n` callbacks to have happened (the tasks report themselves).
class Countdown {
public:
    explicit Countdown(int n) : left_(n) {}
    void hit() {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--left_ == 0)
            cv_.notify_all();
    }
    bool waitFor(std::chrono::milliseconds limit) {
        std::unique_lock<std::mutex> lock(mutex_);
        return cv_.wait_for(lock, limit, [this] { return left_ <= 0; });
    }

private:
    std::mutex mutex_;
    std::condition_variable cv_;
    int left_;
};

} // namespace

TEST(Async, ManySlowCallsOverlapOnTwoThreads) {
    FixtureServer server;
    server.setHandler([](const RecordedRequest&) {
        Reply r = Reply::json(200, R"J({"tiers":[]})J");
        r.delay = 300ms;
        return r;
    });
    ComputeClient client(optionsFor(server));
    // The fixture holds a thread per connection (16), keep-alive ones included: more calls than
    // that would wait for its keep-alive timeout, not for us.
    constexpr int kCalls = 16;
    std::atomic<int> ok{0};
    Countdown done(kCalls);
    const auto start = Clock::now();
    for (int i = 0; i < kCalls; ++i) {
        runAsync([&](const CancelToken& t) {
            try {
                if (client.request(get("/sandboxes/tiers"), t).status == 200)
                    ok.fetch_add(1);
            } catch (const SocktError&) {
            }
            done.hit();
        });
    }
    ASSERT_TRUE(done.waitFor(20s));
    const auto elapsed = Clock::now() - start;
    EXPECT_EQ(ok.load(), kCalls);
    // One call after another would take 16 × 0.3 s = 4.8 s; all at once take 0.3 s.
    EXPECT_LT(elapsed, 2s);
    auto stats = asyncStats();
    EXPECT_GE(stats.threads, 1u);
    EXPECT_LE(stats.threads, 2u);
}

TEST(Async, CancelEndsAWaitingCallAtOnce) {
    FixtureServer server;
    server.enqueue(Reply::stall());
    ComputeClient client(optionsFor(server));
    AsyncTask task = runAsync([&](const CancelToken& t) { client.request(get("/x"), t); });
    eventually([&] { return server.requestCount() > 0; }, 5s);
    ASSERT_EQ(server.requestCount(), 1u);
    EXPECT_FALSE(task.done());
    const auto start = Clock::now();
    task.cancel();
    EXPECT_THROW(task.wait(), CancelledError);
    EXPECT_LT(Clock::now() - start, 100ms);
    server.releaseStalls();
}

TEST(Async, CancelEndsASleepAtOnce) {
    AsyncTask task = runAsync([](const CancelToken& t) {
        if (!t.sleepFor(60s))
            throw CancelledError({"slept no more", "", 0});
    });
    const auto start = Clock::now();
    task.cancel();
    EXPECT_THROW(task.wait(), CancelledError);
    EXPECT_LT(Clock::now() - start, 100ms);
}

TEST(Async, SleepsSuspendFibersNotThreads) {
    constexpr int kTasks = 100;
    std::vector<AsyncTask> tasks;
    const auto start = Clock::now();
    for (int i = 0; i < kTasks; ++i)
        tasks.push_back(runAsync([](const CancelToken& t) { t.sleepFor(200ms); }));
    for (auto& t : tasks)
        t.wait();
    // 100 × 200 ms on two threads that really slept would take 10 s.
    EXPECT_LT(Clock::now() - start, 2s);
}

TEST(Async, ExceptionsSurviveSuspensionInsideCatchBlocks) {
    // Each task suspends while handling its own exception, others throw and catch meanwhile on
    // the same thread; the rethrow must still find the right exception.
    constexpr int kTasks = 40;
    std::vector<AsyncTask> tasks;
    for (int i = 0; i < kTasks; ++i) {
        tasks.push_back(runAsync([i](const CancelToken& t) {
            try {
                throw std::runtime_error("task " + std::to_string(i));
            } catch (const std::runtime_error&) {
                t.sleepFor(std::chrono::milliseconds(5 + (i * 7) % 40));
                EXPECT_EQ(std::uncaught_exceptions(), 0);
                throw; // the exception being handled by this fiber
            }
        }));
    }
    for (int i = 0; i < kTasks; ++i) {
        try {
            tasks[i].wait();
            ADD_FAILURE() << "task " << i << " did not rethrow";
        } catch (const std::runtime_error& e) {
            EXPECT_EQ(std::string(e.what()), "task " + std::to_string(i));
        }
    }
}

TEST(Async, ThreadsAndFibersShareOneClient) {
    FixtureServer server;
    server.setHandler([](const RecordedRequest& r) { return Reply::json(200, "\"" + r.path + "\""); });
    ComputeClient client(optionsFor(server));
    std::atomic<int> ok{0};
    std::vector<AsyncTask> tasks;
    for (int i = 0; i < 8; ++i) {
        tasks.push_back(runAsync([&, i](const CancelToken& t) {
            for (int k = 0; k < 20; ++k) {
                auto path = "/f" + std::to_string(i) + "_" + std::to_string(k);
                if (client.request(get(path), t).body == "\"/v1" + path + "\"")
                    ok.fetch_add(1);
            }
        }));
    }
    for (int k = 0; k < 40; ++k) {
        auto path = "/t" + std::to_string(k);
        if (client.request(get(path)).body == "\"/v1" + path + "\"")
            ok.fetch_add(1);
    }
    for (auto& t : tasks)
        t.wait();
    EXPECT_EQ(ok.load(), 8 * 20 + 40);
}

TEST(Async, HttpsOnFibersDoesNotBlockTheThreads) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    const std::string big(2 * 1024 * 1024 + 5, 'z');
    server.setHandler([&](const RecordedRequest& r) {
        if (r.method == "POST")
            return Reply::json(200, std::to_string(r.body.size()));
        Reply reply = Reply::json(200, r.path == "/v1/big" ? big : std::string("{}"));
        reply.delay = r.path == "/v1/slow" ? 300ms : 0ms;
        return reply;
    });
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    ComputeClient client(opts);
    std::vector<AsyncTask> tasks;
    std::atomic<int> ok{0};
    const auto start = Clock::now();
    for (int i = 0; i < 12; ++i) {
        tasks.push_back(runAsync([&, i](const CancelToken& t) {
            HttpRequest r = get(i % 3 == 0 ? "/big" : "/slow");
            if (i % 3 == 1) {
                r.method = "POST";
                r.body = std::string(3 * 1024 * 1024, 'w');
            }
            auto response = client.request(r, t);
            const bool good = i % 3 == 0   ? response.body == big
                              : i % 3 == 1 ? response.body == std::to_string(3 * 1024 * 1024)
                                           : response.body == "{}";
            if (good)
                ok.fetch_add(1);
        }));
    }
    for (auto& t : tasks)
        t.wait();
    EXPECT_EQ(ok.load(), 12);
    // Eight 300 ms answers one after another would take 2.4 s.
    EXPECT_LT(Clock::now() - start, 2s);
    // A plain thread can use the connections the fibers left non-blocking.
    EXPECT_EQ(client.request(get("/big")).body, big);
}

TEST(Async, HttpsWrongHostIsRejectedOnAFiberToo) {
    auto pki = testPki();
    FixtureServer server(pki.wrong_host);
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    ComputeClient client(opts);
    AsyncTask task = runAsync([&](const CancelToken& t) { client.listTiers(t); });
    EXPECT_THROW(task.wait(), ConnectionError);
    EXPECT_EQ(server.requestCount(), 0u);
}

TEST(Async, ErrorsReachTheTaskAsOnAThread) {
    FixtureServer server;
    server.enqueue(Reply::error(404, "not_found", "no such sandbox"));
    ComputeClient client(optionsFor(server));
    AsyncTask task = runAsync([&](const CancelToken& t) { client.getSandbox("nope", t); });
    try {
        task.wait();
        FAIL() << "expected an APIError";
    } catch (const APIError& e) {
        EXPECT_EQ(e.statusCode(), 404);
        EXPECT_EQ(e.slug(), "not_found");
    }
}
