// Shared fixture: each test gets its own `sockt serve` process and data dir (parallel-safe).
#pragma once

#include "http_probe.hpp"
#include "serve_process.hpp"

#include <chrono>
#include <cstdint>
#include <gtest/gtest.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

namespace sockt::testing {

/// Memory bounds are for the server as users run it. Under AddressSanitizer (tests/sanitize, the
/// same build as this test) its allocator pads every block and keeps freed ones in quarantine, so
/// there only time bounds are checked; the plain build of `make test` checks memory.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kMemoryBoundsHold = false;
#else
inline constexpr bool kMemoryBoundsHold = true;
#endif

using Json = nlohmann::json;

struct ExecOutcome {
    std::string status;
    std::string out;
    std::string err;
    Json exit_code;
    Json error;
};

/// Memory and CPU time of a process, from /proc (the bounds of the hostile-request tests).
struct ProcUsage {
    std::int64_t rss_bytes = 0;  // VmRSS
    std::int64_t peak_bytes = 0; // VmHWM: the peak since start or since resetPeak()
    double cpu_secs = 0;         // user + system time
};
ProcUsage procUsage(int pid);
/// Restarts VmHWM from the current RSS (writes 5 to clear_refs).
void resetPeak(int pid);

/// A call's cost: time to the answer, and the server's CPU time and memory meanwhile.
struct Measured {
    HttpReply reply;
    double secs = 0;
    double cpu_secs = 0;
    std::int64_t peak_growth = 0; // VmHWM during the call minus VmRSS before it
};

class ServerTest : public ::testing::Test {
protected:
    virtual ServeOptions serveOptions() { return {}; }

    void SetUp() override {
        serve_ = std::make_unique<ServeProcess>(serveOptions());
        serve_->start();
    }

    const std::string& url() const { return serve_->url(); }
    const std::string& key() const { return serve_->apiKey(); }

    HttpReply get(const std::string& target, const std::string& cred) {
        return httpGet(url(), target, cred);
    }
    HttpReply post(const std::string& target, const Json& body, const std::string& cred) {
        return httpPost(url(), target, body, cred);
    }
    HttpReply del(const std::string& target, const std::string& cred) {
        return httpDelete(url(), target, cred);
    }

    /// Polls the status until it equals `want` (≤ timeout); returns the last status body.
    Json waitStatus(const std::string& id, const std::string& want, const std::string& cred,
                    std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        Json last;
        while (std::chrono::steady_clock::now() < deadline) {
            auto r = get("/v1/sandboxes/" + id, cred);
            if (r.status == 200) {
                last = r.json();
                if (last["status"] == want)
                    return last;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ADD_FAILURE() << "sandbox " << id << " never reached " << want << "; last: " << last.dump();
        return last;
    }

    /// A running credits sandbox of the startup key.
    std::string runningSandbox(const Json& body = Json::object()) {
        auto r = post("/v1/sandboxes", body, key());
        EXPECT_EQ(r.status, 201) << r.body;
        const std::string id = r.json()["sandbox_id"];
        waitStatus(id, "running", key());
        return id;
    }

    std::string startExec(const std::string& id, const Json& body, const std::string& cred) {
        auto r = post("/v1/sandboxes/" + id + "/exec", body, cred);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.status == 200 ? r.json()["execution_id"].get<std::string>() : std::string();
    }

    /// Polls (long-poll) until terminal, accumulating output.
    ExecOutcome waitExec(const std::string& eid, const std::string& cred,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
        ExecOutcome o;
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto r = get("/v1/executions/" + eid + "?wait_ms=5000", cred);
            if (r.status != 200) {
                ADD_FAILURE() << "poll failed: " << r.status << " " << r.body;
                return o;
            }
            auto j = r.json();
            for (const auto& c : j["output"])
                (c["stream"] == "stdout" ? o.out : o.err) += c["chunk"].get<std::string>();
            o.status = j["status"];
            if (o.status != "running") {
                o.exit_code = j["exit_code"];
                o.error = j["error"];
                return o;
            }
        }
        ADD_FAILURE() << "execution " << eid << " did not finish";
        return o;
    }

    ExecOutcome run(const std::string& id, const std::string& command) {
        return waitExec(startExec(id, Json{{"command", command}}, key()), key());
    }

    /// Runs `send` (which returns an HttpReply) and measures it.
    template <class Send> Measured measure(Send&& send) {
        const int pid = serve_->pid();
        resetPeak(pid);
        const auto before = procUsage(pid);
        const auto started = std::chrono::steady_clock::now();
        Measured m;
        m.reply = send();
        m.secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const auto after = procUsage(pid);
        m.cpu_secs = after.cpu_secs - before.cpu_secs;
        m.peak_growth = after.peak_bytes - before.rss_bytes;
        return m;
    }

    /// Both within `secs` (time to the answer and the server's CPU time), memory within `peak`
    /// where memory bounds mean something (kMemoryBoundsHold).
    static void expectCheap(const Measured& m, double secs, std::int64_t peak) {
        EXPECT_LT(m.secs, secs);
        EXPECT_LT(m.cpu_secs, secs);
        if (kMemoryBoundsHold)
            EXPECT_LT(m.peak_growth, peak);
    }

    std::unique_ptr<ServeProcess> serve_;
};

/// Host pids whose command line contains `needle` (for "no process left behind" checks).
std::vector<int> pidsWithCmdline(const std::string& needle);

} // namespace sockt::testing
