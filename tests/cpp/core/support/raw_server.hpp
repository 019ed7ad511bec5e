// Shared by the transport suites (transport, https, environment, codec tests): a scripted raw
// TCP server for answers a real HTTP server would never send, an environment guard and small
// request/answer builders.
#pragma once

#include "core_test_helpers.hpp"

#include <Poco/Net/ServerSocket.h>
#include <arpa/inet.h>
#include <atomic>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <sockt/sockt.hpp>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace sockt::testing {

inline const std::string kPodStarting =
    R"J({"code":"pod_starting","error":"pod unreachable","message":"sandbox is starting; pod unreachable, retry shortly","hint":null,"request_id":"req_1"})J";

inline unsigned short unusedPort() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    unsigned short port = s.address().port();
    s.close();
    return port;
}

class EnvGuard {
public:
    explicit EnvGuard(std::initializer_list<std::pair<const char*, const char*>> vars) {
        for (auto [k, v] : vars) {
            const char* old = std::getenv(k);
            saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
            if (v)
                ::setenv(k, v, 1);
            else
                ::unsetenv(k);
        }
    }
    ~EnvGuard() {
        for (auto& [k, v] : saved_) {
            if (v)
                ::setenv(k.c_str(), v->c_str(), 1);
            else
                ::unsetenv(k.c_str());
        }
    }

private:
    std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// A scripted server speaking raw bytes over TCP, for answers a real HTTP server would never send
// (one byte per write, HTTP/1.0, malformed heads, bodies until close). It serves one connection
// at a time, reads each request (head + Content-Length body), records it and writes the next
// scripted answer.
class RawServer {
public:
    struct Answer {
        std::string bytes;
        bool close_after = false;               // close the connection after writing
        std::chrono::microseconds byte_gap{-1}; // >= 0: one byte per write, this long apart
    };

    RawServer() {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) ||
            ::listen(listen_fd_, 16))
            throw std::runtime_error("RawServer: cannot listen on 127.0.0.1");
        socklen_t len = sizeof addr;
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { run(); });
    }
    ~RawServer() {
        stop_ = true;
        thread_.join();
        ::close(listen_fd_);
    }
    RawServer(const RawServer&) = delete;
    RawServer& operator=(const RawServer&) = delete;

    void enqueue(Answer answer) {
        std::lock_guard<std::mutex> lock(mutex_);
        answers_.push_back(std::move(answer));
    }
    void enqueue(std::string bytes, bool close_after = false) {
        enqueue(Answer{std::move(bytes), close_after, std::chrono::microseconds(-1)});
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    unsigned short port() const { return port_; }
    int connectionsAccepted() const { return accepted_.load(); }
    std::vector<std::string> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

private:
    bool waitReadable(int fd) {
        while (!stop_) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) > 0)
                return true;
        }
        return false;
    }
    bool readMore(int fd, std::string& in) {
        if (!waitReadable(fd))
            return false;
        char buf[65536];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            return false;
        in.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    static std::size_t contentLength(const std::string& head) {
        std::string lower = head;
        for (auto& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto pos = lower.find("\r\ncontent-length:");
        return pos == std::string::npos ? 0 : std::stoul(lower.substr(pos + 17));
    }
    bool write(int fd, const Answer& answer) {
        const std::string& b = answer.bytes;
        if (answer.byte_gap.count() < 0)
            return ::send(fd, b.data(), b.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(b.size());
        for (char c : b) {
            if (stop_ || ::send(fd, &c, 1, MSG_NOSIGNAL) != 1)
                return false;
            std::this_thread::sleep_for(answer.byte_gap);
        }
        return true;
    }
    void serve(int fd) {
        std::string in;
        while (!stop_) {
            std::size_t head_end;
            while ((head_end = in.find("\r\n\r\n")) == std::string::npos)
                if (!readMore(fd, in))
                    return;
            std::size_t total = head_end + 4 + contentLength(in.substr(0, head_end + 2));
            while (in.size() < total)
                if (!readMore(fd, in))
                    return;
            Answer answer{"HTTP/1.1 599 Unscripted\r\nContent-Length: 0\r\n\r\n", true,
                          std::chrono::microseconds(-1)};
            {
                std::lock_guard<std::mutex> lock(mutex_);
                requests_.push_back(in.substr(0, total));
                if (!answers_.empty()) {
                    answer = std::move(answers_.front());
                    answers_.pop_front();
                }
            }
            in.erase(0, total);
            if (!write(fd, answer) || answer.close_after)
                return;
        }
    }
    void run() {
        while (waitReadable(listen_fd_)) {
            int fd = ::accept(listen_fd_, nullptr, nullptr);
            if (fd < 0)
                continue;
            ++accepted_;
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            serve(fd);
            ::close(fd);
        }
    }

    int listen_fd_ = -1;
    unsigned short port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0};
    mutable std::mutex mutex_;
    std::deque<Answer> answers_;
    std::vector<std::string> requests_;
};

inline ClientOptions rawOptions(const RawServer& server) {
    ClientOptions o;
    o.base_url = server.url();
    o.api_key = kApiKey;
    o.ignore_env = true;
    o.timeout = std::chrono::seconds(10);
    return o;
}

inline HttpRequest get(const std::string& path) {
    HttpRequest r;
    r.method = "GET";
    r.path = path;
    r.retry_pod_starting = false;
    return r;
}

inline std::string okJson(const std::string& body, const std::string& extra_headers = "") {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + extra_headers +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

} // namespace sockt::testing
