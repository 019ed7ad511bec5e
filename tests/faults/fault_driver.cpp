// The C++ front of the fault matrix (docs/faults.md): `sockt_fault_driver <op> <base_url>
// <timeout_ms> [file]` runs one operation with the core against the fault fixture and prints one
// JSON line: {"ok":true,…} with what it got, or {"ok":false,"error":<class>,"message":…}.
// Operations: create (a nano sandbox), status (GET the sandbox), exec (start `echo hi` and wait for the result), write
// (upload the content of `file` as text).
#include "sockt/sockt.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

namespace {

const char* className(sockt::ErrorKind kind) {
    using K = sockt::ErrorKind;
    switch (kind) {
    case K::Authentication: return "AuthenticationError";
    case K::TopUpFailed: return "TopUpFailedError";
    case K::RateLimited: return "RateLimitedError";
    case K::NoCapacity: return "NoCapacityError";
    case K::HostUnreachable: return "HostUnreachableError";
    case K::SandboxNotRunning: return "SandboxNotRunningError";
    case K::SandboxStopped: return "SandboxStoppedError";
    case K::Api: return "APIError";
    case K::Connection: return "ConnectionError";
    case K::Timeout: return "TimeoutError";
    case K::Cancelled: return "CancelledError";
    case K::InvalidArgument: return "InvalidArgumentError";
    case K::Generic: break;
    }
    return "SocktError";
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: sockt_fault_driver create|status|exec|write <base_url> <timeout_ms> [file]\n";
        return 2;
    }
    const std::string op = argv[1];
    nlohmann::json out;
    const auto start = std::chrono::steady_clock::now();
    try {
        sockt::ClientOptions options;
        options.ignore_env = true;
        options.base_url = argv[2];
        options.api_key = "sk_faults";
        options.timeout = std::chrono::milliseconds(std::stoll(argv[3]));
        sockt::ComputeClient client(options);
        sockt::Sandbox sandbox = client.sandbox("sbx-faults");
        if (op == "create") {
            out["status"] = client.createSandbox().status();
        } else if (op == "status") {
            out["status"] = sandbox.refreshStatus().status;
        } else if (op == "exec") {
            sockt::ExecResult r = sandbox.execSync("echo hi");
            out["status"] = r.status;
            out["exit_code"] = r.exit_code ? nlohmann::json(*r.exit_code) : nlohmann::json();
            std::string text;
            for (const auto& c : r.output)
                text += c.chunk;
            out["stdout"] = text;
        } else if (op == "write" && argc > 4) {
            std::ifstream in(argv[4], std::ios::binary);
            std::stringstream content;
            content << in.rdbuf();
            sandbox.writeFile("/home/sandbox/big.txt", content.str());
        } else {
            std::cerr << "unknown operation " << op << "\n";
            return 2;
        }
        out["ok"] = true;
    } catch (const sockt::SocktError& e) {
        out = {{"ok", false},
               {"error", className(e.kind())},
               {"message", e.message()},
               {"status_code", e.statusCode()},
               {"retry_after", e.retryAfter() ? nlohmann::json(*e.retryAfter()) : nlohmann::json()}};
    }
    out["elapsed"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << out.dump() << std::endl;
    return 0;
}
