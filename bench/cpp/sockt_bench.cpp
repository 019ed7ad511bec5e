// One benchmark workload of the C++ core in a fresh process (bench/driver.py runs it per trial).
//
//   sockt_bench status  [--seconds S]
//   sockt_bench exec    [--command CMD] [--count N]
//   sockt_bench files   [--size BYTES]
//
// Server, key and sandbox come from SOCKT_API_URL, SOCKT_API_KEY and BENCH_SANDBOX_ID, as for the
// Python and Node workers. Prints one JSON object on stdout; times are seconds.
#include <sockt/sockt.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Args {
    std::string workload;
    double seconds = 2.0;
    std::string command = "true";
    int count = 10;
    std::size_t size = 1 << 20;
};

Args parseArgs(int argc, char** argv) {
    if (argc < 2) {
        throw std::invalid_argument("usage: sockt_bench status|exec|files [options]");
    }
    Args args;
    args.workload = argv[1];
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const std::string value = argv[i + 1];
        if (flag == "--seconds") {
            args.seconds = std::stod(value);
        } else if (flag == "--command") {
            args.command = value;
        } else if (flag == "--count") {
            args.count = std::stoi(value);
        } else if (flag == "--size") {
            args.size = static_cast<std::size_t>(std::stoull(value));
        } else {
            throw std::invalid_argument("unknown option " + flag);
        }
    }
    return args;
}

std::string requireEnv(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') {
        throw std::runtime_error(std::string(name) + " is not set (bench/driver.py sets it)");
    }
    return value;
}

// Peak RSS above idle: clear_refs "5" resets VmHWM to the current RSS (Linux >= 4.0), so the
// peak read afterwards belongs to the workload alone.
long statusKb(const std::string& field) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) {
            return std::stol(line.substr(field.size() + 1));
        }
    }
    throw std::runtime_error(field + " missing from /proc/self/status");
}

long resetPeakRss() {
    std::ofstream("/proc/self/clear_refs") << "5";
    return statusKb("VmRSS");
}

sockt::Json runStatus(sockt::Sandbox& sandbox, const Args& args) {
    for (int i = 0; i < 20; ++i) {
        sandbox.refreshStatus();
    }
    long count = 0;
    const auto start = Clock::now();
    double elapsed = 0;
    do {
        sandbox.refreshStatus();
        ++count;
        elapsed = secondsSince(start);
    } while (elapsed < args.seconds);
    return {{"value", count / elapsed}, {"count", count}, {"elapsed", elapsed}};
}

sockt::Json runExec(sockt::Sandbox& sandbox, const Args& args) {
    const std::string expected = args.command == "echo hi" ? "hi\n" : "";
    sandbox.execSync(args.command);  // warm-up: connection, first bash start
    std::vector<double> samples;
    for (int i = 0; i < args.count; ++i) {
        const auto start = Clock::now();
        const sockt::ExecResult result = sandbox.execSync(args.command);
        samples.push_back(secondsSince(start));
        if (result.exit_code != 0 || result.stdoutText() != expected) {
            throw std::runtime_error("unexpected result of '" + args.command + "': " +
                                     result.raw.dump());
        }
    }
    return {{"samples", samples}};
}

sockt::Json runFiles(sockt::Sandbox& sandbox, const Args& args) {
    sandbox.refreshStatus();  // connection up before the clock starts
    std::string data(args.size, '\0');
    std::mt19937_64 rng(std::random_device{}());
    for (std::size_t i = 0; i + 8 <= data.size(); i += 8) {
        const std::uint64_t v = rng();
        std::memcpy(&data[i], &v, 8);
    }
    const std::string path = "bench/cpp-" + std::to_string(::getpid()) + ".bin";
    const long idle_kb = resetPeakRss();
    const auto start = Clock::now();
    sandbox.writeFileBytes(path, data);
    const double write_s = secondsSince(start);
    const std::string back = sandbox.readFileBytes(path);
    const double total_s = secondsSince(start);
    const long peak_kb = statusKb("VmHWM");
    if (back != data) {
        throw std::runtime_error("read back bytes differ from the bytes written");
    }
    return {{"write_s", write_s},
            {"read_s", total_s - write_s},
            {"value", 2.0 * static_cast<double>(args.size) / total_s / 1e6},
            {"rss_idle_kb", idle_kb},
            {"rss_peak_kb", peak_kb},
            {"rss_delta_bytes", (peak_kb - idle_kb) * 1024}};
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Args args = parseArgs(argc, argv);
        sockt::ClientOptions options;  // URL and key from the environment
        sockt::ComputeClient client(options);
        sockt::Sandbox sandbox = client.getSandbox(requireEnv("BENCH_SANDBOX_ID"));
        sockt::Json result;
        if (args.workload == "status") {
            result = runStatus(sandbox, args);
        } else if (args.workload == "exec") {
            result = runExec(sandbox, args);
        } else if (args.workload == "files") {
            result = runFiles(sandbox, args);
        } else {
            throw std::invalid_argument("unknown workload " + args.workload);
        }
        result["version"] = std::string(sockt::version());
        result["connections_opened"] = client.connectionsOpened();
        client.close();
        std::cout << result.dump() << std::endl;
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "sockt_bench: " << e.what() << std::endl;
        return 1;
    }
}
