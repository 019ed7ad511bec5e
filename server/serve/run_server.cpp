// Assembles and runs `sockt serve` (docs/protocol.md §11.1): keys, isolation, state, the HTTP
// server on a large thread pool, the startup lines, and the orderly stop on SIGINT/SIGTERM.
#include "api/api.hpp"
#include "billing/key_spec.hpp"
#include "http/http_connection.hpp"
#include "http/rate_limiter.hpp"
#include "http/request_handler.hpp"
#include "manager/sandbox_manager.hpp"
#include "mcp/mcp_handler.hpp"
#include "runtime/sandbox_cgroup.hpp"
#include "runtime/sandbox_network.hpp"
#include "serve/data_dir.hpp"
#include "serve/serve_options.hpp"
#include "serve/signal_waiter.hpp"
#include "shell/shell_service.hpp"

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <iostream>

namespace sockt::server {
namespace {

// Every connection (keep-alive idle ones, 30 s long polls, shells) holds a thread; the pool is
// sized so that slow or stuck clients never starve the others.
constexpr int kMaxThreads = 512;

std::filesystem::path defaultDataDir() {
    const char* xdg = std::getenv("XDG_DATA_HOME");
    std::filesystem::path base;
    if (xdg && *xdg) {
        base = xdg;
    } else {
        const char* home = std::getenv("HOME");
        base = std::filesystem::path(home && *home ? home : "/tmp") / ".local" / "share";
    }
    return base / "sockt" / "serve";
}

std::string urlHost(const std::string& host) {
    if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]")
        return "127.0.0.1";
    if (host.find(':') != std::string::npos && host.front() != '[')
        return "[" + host + "]";
    return host;
}

int fail(const std::string& message) {
    std::cerr << "Error: " << message << std::endl;
    return 1;
}

} // namespace

int runServer(const ServeOptions& options) {
    std::vector<KeySpec> keys;
    try {
        for (const auto& k : options.api_keys)
            keys.push_back(parseKeySpec(k));
        if (const char* env = std::getenv("SOCKT_SERVE_API_KEYS"))
            for (auto& k : parseKeySpecList(env))
                keys.push_back(std::move(k));
    } catch (const std::exception& e) {
        return fail(e.what());
    }

    // §11.4: the data dir is locked before anything else touches it or the port.
    std::unique_ptr<DataDirLock> data_dir_lock;
    IsolationMode isolation;
    try {
        data_dir_lock = std::make_unique<DataDirLock>(
            options.data_dir.empty() ? defaultDataDir() : std::filesystem::path(options.data_dir));
        std::string warning;
        isolation = resolveIsolation(options.isolation, &warning);
        if (!warning.empty())
            std::cerr << warning << std::endl;
    } catch (const std::exception& e) {
        return fail(e.what());
    }

    auto shells = std::make_shared<ShellService>();
    const std::filesystem::path& data_dir = data_dir_lock->path();
    ManagerConfig mc;
    mc.data_dir = data_dir;
    mc.boot_delay_ms = options.boot_delay_ms;
    mc.max_sandboxes = options.max_sandboxes;
    mc.isolation = isolation;
    SandboxManager manager(mc, shells);

    Poco::Net::ServerSocket socket;
    try {
        // SO_REUSEADDR (a restart may bind over TIME_WAIT) but not SO_REUSEPORT, which Poco's
        // bind(address, true) also sets: a second server would bind too and the two would split
        // the traffic (§11.4).
        socket.bind(Poco::Net::SocketAddress(options.host, static_cast<Poco::UInt16>(options.port)),
                    true, false);
        socket.listen(256);
    } catch (const Poco::Exception& e) {
        return fail("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                    (e.code() == EADDRINUSE ? std::string("address already in use")
                                            : e.displayText()));
    }
    std::string first_key;
    try {
        first_key = manager.start(keys);
    } catch (const std::exception& e) {
        return fail(e.what());
    }

    Api api(manager);
    RateLimiter limiter(options.rate_limit);
    McpHandler mcp(api);
    const auto port = socket.address().port();
    const std::string base = "http://" + urlHost(options.host) + ":" + std::to_string(port);

    ServerContext ctx;
    ctx.api = &api;
    ctx.limiter = &limiter;
    ctx.mcp = [&mcp](const std::string& http_method, std::optional<ParsedBody> body,
                     const ApiCall& call, const std::string& request_id) {
        return mcp.handle(http_method, std::move(body), call, request_id);
    };
    ctx.shells = shells;
    ctx.isolation = std::string(isolationName(isolation));
    ctx.limits = std::string(limitsModeName(limitsMode()));
    std::string no_network;
    ctx.network = std::string(networkModeName(isolation == IsolationMode::Bwrap
                                                  ? sandboxNetworkMode(&no_network)
                                                  : NetworkMode::Shared));
    ctx.data_dir = data_dir.string();
    ctx.fallback_host = urlHost(options.host) + ":" + std::to_string(port);

    SignalWaiter signals;
    Poco::ThreadPool pool(8, kMaxThreads, 60);
    Poco::Net::HTTPServerParams::Ptr params(new Poco::Net::HTTPServerParams);
    params->setMaxThreads(kMaxThreads);
    params->setMaxQueued(1024);
    params->setTimeout(
        Poco::Timespan(30, 0)); // per socket operation: a stuck client frees its thread
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(15, 0));
    Poco::SharedPtr<HttpConnectionFactory> connections(
        new HttpConnectionFactory(params, new RequestHandlerFactory(ctx)));
    Poco::Net::TCPServer server(connections, pool, socket, params);
    server.start();

    std::cout << "export SOCKT_API_URL=" << base << " SOCKT_API_KEY=" << first_key << std::endl;
    std::cerr << "sockt serve: listening on " << base << " (isolation: " << ctx.isolation
              << ", data: " << ctx.data_dir << ")" << std::endl;
    // docs/protocol.md §11.4: what sandboxes lack on this host, each on a line of its own.
    if (!no_network.empty())
        std::cerr << "sockt serve: sandboxes have no network: " << no_network << std::endl;
    if (limitsMode() == LimitsMode::Rlimit)
        std::cerr << "sockt serve: no writable cgroup; sandbox limits fall back to rlimits "
                     "(memory per process, no CPU limit)"
                  << std::endl;
    try {
        if (!Poco::Net::IPAddress(options.host).isLoopback())
            std::cerr << "sockt serve: warning: bound to " << options.host
                      << ", which is not a loopback address; anyone who can reach it can use "
                         "your sandboxes"
                      << std::endl;
    } catch (const Poco::Exception&) {
        // a host name: resolved by bind already; no warning needed for localhost-style names
    }

    const int sig = signals.wait();
    std::cerr << "sockt serve: " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping"
              << std::endl;
    server.stop();
    shells->shutdown();
    manager.shutdown();
    connections->stopAll();
    pool.joinAll();
    return 0;
}

} // namespace sockt::server
