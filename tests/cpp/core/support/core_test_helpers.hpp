// Shared helpers of the core tests: client options aimed at a fixture server, sample bodies.
#pragma once

#include "fixture_server.hpp"

#include <chrono>
#include <cstdlib>
#include <sockt/sockt.hpp>
#include <string>

namespace sockt::testing {

inline constexpr const char* kApiKey = "sockt_live_0f8e2b6a-3c4d-4e5f-9a1b-7c2d3e4f5a6b";
inline constexpr const char* kToken = "sbx_0bc4a0f3dbe8be9a641ae196c19b1b29";
inline constexpr const char* kSandboxId = "c946d401-ec72-4e84-8b79-f4395d88b7f4";

inline ClientOptions optionsFor(const FixtureServer& server) {
    ClientOptions o;
    o.base_url = server.url();
    o.api_key = kApiKey;
    o.ignore_env = true;
    o.timeout = std::chrono::seconds(10);
    o.pod_starting_backoff = std::chrono::milliseconds(10);
    return o;
}

inline std::string statusBody(const std::string& status, const std::string& extra = "") {
    return std::string(R"({"sandbox_id":")") + kSandboxId + R"(","status":")" + status +
           R"(","status_reason":null,"tier":"nano","runtime":"local","template":"sockt-nano",)"
           R"("billing_method":"credits","label":null,"created_at":"2026-05-29T15:45:00Z",)"
           R"("terminated_at":null,"consumed_msats":0,"msats_per_second":null,)"
           R"("sats_per_second":null,"prepaid_balance_msats":null,"seconds_remaining":null,)"
           R"("warning_level":null,"next_poll_secs":2,"metrics_stale":false,)"
           R"("runtime_consumed_total":0,"pending_invoice":null,"invoice":null,)"
           R"("sandbox_token":null,"usd_cents_per_second":0.000277,"consumed_subcents":0,)"
           R"("prepaid_balance_subcents":1000000)" +
           (extra.empty() ? "" : "," + extra) + "}";
}

inline std::string execStarted(const std::string& id = "exec_1") {
    return R"({"execution_id":")" + id + R"(","status":"running","sandbox_id":")" + kSandboxId +
           R"(","command":"echo hi","working_dir":"/home/sandbox","timeout_ms":30000,)"
           R"("started_at":"2026-05-29T15:46:00Z","next_step":"Poll"})";
}

inline std::string execPoll(const std::string& status, const std::string& output_json,
                            const std::string& exit_code = "null",
                            const std::string& id = "exec_1") {
    return R"({"execution_id":")" + id + R"(","sandbox_id":")" + kSandboxId + R"(","status":")" +
           status + R"(","output":)" + output_json + R"(,"exit_code":)" + exit_code +
           R"(,"error":null,"pending_invoice":null})";
}

/// A handle on the fixture's sandbox whose cached status is `running` (one status request).
inline Sandbox runningSandbox(ComputeClient& client, FixtureServer& server) {
    server.enqueue(Reply::json(200, statusBody("running")));
    return client.getSandbox(kSandboxId);
}

} // namespace sockt::testing
