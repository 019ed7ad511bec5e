// INTERNAL: what the transport needs of a client, and nothing else: the base URL, the TLS
// context, the request time limit and a count of connections opened. ClientCore owns one and
// builds its requests on top; transport/ never sees ClientCore (the layer below it).
#pragma once

#include "sockt/client.hpp"
#include "sockt/options.hpp"

#include <Poco/Net/Context.h>
#include <Poco/URI.h>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace sockt::detail {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

/// A request body of known length produced in pieces, so a large body need not exist as one
/// string before its first byte is sent. The transport calls `fill(offset, out, n)` for
/// consecutive ranges from offset 0 (every attempt, so a retry resends the same bytes from the
/// start); `fill` writes exactly bytes [offset, offset + n) of the body to `out`, with
/// offset + n <= length. Sent as application/json with Content-Length = length.
struct BodySource {
    std::size_t length = 0;
    std::function<void(std::size_t offset, char* out, std::size_t n)> fill;
};

/// Told `(received, total)` as the body of an answer with a Content-Length arrives, on the
/// thread (or fiber) that sent the request; transfers turn it into progress.
using BodyProgress = std::function<void(std::uint64_t received, std::uint64_t total)>;

/// Thread-safe: the URL and limits are immutable, the TLS context is made once under a lock.
class TransportContext {
public:
    /// `base_uri`: http or https with a host (the caller validated it). `ca_file`: the CA bundle
    /// for TLS, nullopt = the system's. `timeout`: the whole-request limit errors report.
    TransportContext(Poco::URI base_uri, std::optional<std::string> ca_file, Duration timeout)
        : base_uri_(std::move(base_uri)), ca_file_(std::move(ca_file)), timeout_(timeout) {}
    TransportContext(const TransportContext&) = delete;
    TransportContext& operator=(const TransportContext&) = delete;

    const Poco::URI& baseUri() const { return base_uri_; }
    Duration timeout() const { return timeout_; }

    /// TLS context for https/wss (explicit, system CAs or the CA file, hostname verification,
    /// SNI). Created on first use; shared by every connection of this client.
    Poco::Net::Context::Ptr sslContext();

    std::uint64_t connectionsOpened() const { return connections_opened_.load(); }
    void countConnectionOpened() { connections_opened_.fetch_add(1); }

private:
    const Poco::URI base_uri_;
    const std::optional<std::string> ca_file_;
    const Duration timeout_;
    std::mutex ssl_mutex_;
    Poco::Net::Context::Ptr ssl_context_;
    std::atomic<std::uint64_t> connections_opened_{0};
};

} // namespace sockt::detail
