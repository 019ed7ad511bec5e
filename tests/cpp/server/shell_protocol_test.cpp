// `sockt serve`'s shell WebSocket against a raw client (RFC 6455, docs/protocol.md §6.2, §6.4):
// every protocol violation a client can commit is answered with a close frame carrying the right
// code; fragmented input is reassembled and pings between the fragments are answered. The client's
// frames are written here by hand, independently of the core's encoder.
#include "eventually.hpp"
#include "server_fixture.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace sockt::testing;
using namespace std::chrono_literals;

namespace {

constexpr int kText = 0x1, kBinary = 0x2, kContinuation = 0x0, kClose = 0x8, kPing = 0x9,
              kPong = 0xA;

/// A client frame: `first_byte` as given (FIN, RSV, opcode), masked unless `masked` is false.
std::string clientFrame(int first_byte, const std::string& payload, bool masked = true) {
    std::string out(1, static_cast<char>(first_byte));
    const std::uint64_t n = payload.size();
    const int mask_bit = masked ? 0x80 : 0;
    if (n < 126) {
        out += static_cast<char>(mask_bit | static_cast<int>(n));
    } else {
        out += static_cast<char>(mask_bit | (n < 65536 ? 126 : 127));
        for (int i = n < 65536 ? 1 : 7; i >= 0; --i)
            out += static_cast<char>((n >> (8 * i)) & 0xFF);
    }
    if (!masked)
        return out + payload;
    const char key[4] = {'\x5a', '\x13', '\xc4', '\x7e'};
    out.append(key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
        out += static_cast<char>(payload[i] ^ key[i % 4]);
    return out;
}

std::string fin(int opcode, const std::string& payload) {
    return clientFrame(0x80 | opcode, payload);
}

std::string codeBytes(int code) {
    return {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
}

struct ServerFrame {
    int opcode = 0;
    std::string payload;
};

/// A shell WebSocket opened by hand with the API key as Bearer credential (§6.1 step 3).
class RawShell {
public:
    RawShell(const std::string& base_url, const std::string& sandbox_id, const std::string& key) {
        const Poco::URI base(base_url);
        socket_.connect(Poco::Net::SocketAddress(base.getHost(), base.getPort()),
                        Poco::Timespan(10, 0));
        socket_.setReceiveTimeout(Poco::Timespan(15, 0));
        send("GET /v1/sandboxes/" + sandbox_id + "/shell HTTP/1.1\r\nHost: " + base.getAuthority() +
             "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer " +
             key + "\r\n\r\n");
        while (buffer_.find("\r\n\r\n") == std::string::npos)
            if (!fill())
                break;
        const auto end = buffer_.find("\r\n\r\n");
        head_ = buffer_.substr(0, end);
        buffer_.erase(0, end == std::string::npos ? buffer_.size() : end + 4);
    }

    int status() const { return head_.size() > 12 ? std::stoi(head_.substr(9, 3)) : 0; }
    const std::string& head() const { return head_; }

    void send(const std::string& bytes) {
        socket_.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    }

    /// The next server frame; nullopt on EOF.
    std::optional<ServerFrame> next() {
        if (!need(2))
            return std::nullopt;
        const auto b1 = static_cast<std::uint8_t>(buffer_[1]);
        if (b1 & 0x80)
            throw std::runtime_error("the server masked a frame");
        std::uint64_t n = b1 & 0x7F;
        std::size_t at = 2;
        if (n >= 126) {
            const std::size_t bytes = n == 126 ? 2 : 8;
            if (!need(2 + bytes))
                return std::nullopt;
            n = 0;
            for (std::size_t i = 0; i < bytes; ++i)
                n = (n << 8) | static_cast<std::uint8_t>(buffer_[2 + i]);
            at += bytes;
        }
        if (!need(at + n))
            return std::nullopt;
        ServerFrame f{static_cast<std::uint8_t>(buffer_[0]) & 0x0F, buffer_.substr(at, n)};
        buffer_.erase(0, at + n);
        return f;
    }

    /// Frames until the server's close frame (stdout of the login shell comes first): its code,
    /// 0 when the connection ended without one, -1 when the server went quiet instead.
    int closeCode() {
        try {
            while (auto f = next()) {
                if (f->opcode == kClose)
                    return f->payload.size() >= 2 ? (static_cast<std::uint8_t>(f->payload[0]) << 8 |
                                                     static_cast<std::uint8_t>(f->payload[1]))
                                                  : 1005;
            }
            return 0;
        } catch (const Poco::TimeoutException&) {
            return -1;
        }
    }

    /// Our side of the TCP connection is done (what a client does after the close handshake).
    void finishSending() { socket_.shutdownSend(); }

    /// Reads to EOF: the server closes the TCP connection once the session is over.
    bool closedByServer() {
        try {
            while (next()) {
            }
            return true;
        } catch (const Poco::TimeoutException&) {
            return false;
        }
    }

private:
    bool fill() {
        char buf[16384];
        int n = socket_.receiveBytes(buf, sizeof buf);
        if (n <= 0)
            return false;
        buffer_.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    bool need(std::size_t n) {
        while (buffer_.size() < n)
            if (!fill())
                return false;
        return true;
    }

    Poco::Net::StreamSocket socket_;
    std::string head_;
    std::string buffer_;
};

class ShellProtocolTest : public ServerTest {
protected:
    /// A new shell on the test's sandbox. A session the previous case ended may still hold its
    /// slot for a moment (§6.1: 5 per sandbox): 429 answers are retried until a deadline.
    std::unique_ptr<RawShell> open() {
        if (sandbox_.empty())
            sandbox_ = runningSandbox();
        std::unique_ptr<RawShell> shell;
        eventually([&] {
            shell = std::make_unique<RawShell>(url(), sandbox_, key());
            return shell->status() != 429;
        });
        EXPECT_EQ(shell->status(), 101) << shell->head();
        return shell;
    }

    /// The close code the server answers `bytes` with.
    int answerTo(const std::string& bytes) {
        auto shell = open();
        shell->send(bytes);
        const int code = shell->closeCode();
        shell->finishSending();
        EXPECT_TRUE(shell->closedByServer());
        return code;
    }

    std::string sandbox_;
};

} // namespace

TEST_F(ShellProtocolTest, ClientViolationsCloseWith1002) {
    const std::string input = R"({"type":"input","data":"true\n"})";
    struct Case {
        const char* what;
        std::string bytes;
    };
    const Case cases[] = {
        {"unmasked client frame", clientFrame(0x80 | kText, input, false)},
        {"RSV1 without an extension", clientFrame(0xC0 | kText, input)},
        {"RSV2", clientFrame(0xA0 | kBinary, "x")},
        {"reserved data opcode 3", fin(0x3, "x")},
        {"reserved control opcode 0xB", fin(0xB, "")},
        {"continuation without a message", fin(kContinuation, "x")},
        {"new message inside a fragmented one", clientFrame(kText, "{") + fin(kText, "}")},
        {"ping over 125 bytes", fin(kPing, std::string(126, 'p'))},
        {"fragmented ping", clientFrame(kPing, "p")},
        {"close code 999", fin(kClose, codeBytes(999))},
        {"close code 1005 on the wire", fin(kClose, codeBytes(1005))},
        {"close code 1006 on the wire", fin(kClose, codeBytes(1006))},
        {"close code 2000", fin(kClose, codeBytes(2000))},
        {"close with a 1-byte payload", fin(kClose, std::string(1, '\x03'))},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        EXPECT_EQ(answerTo(fin(kText, input) + c.bytes), 1002);
    }
}

TEST_F(ShellProtocolTest, InvalidUtf8ClosesWith1007) {
    EXPECT_EQ(answerTo(fin(kText, "{\"type\":\"input\",\"data\":\"\xC0\xAF\"}")), 1007);
    EXPECT_EQ(answerTo(fin(kClose, codeBytes(1000) + "\xFF")), 1007);
}

TEST_F(ShellProtocolTest, FramesOverTheLimitCloseWith1009) {
    // One frame announcing 1 MiB + 1 (only its header is sent), then a fragmented message whose
    // parts are each allowed but whose sum is not.
    std::string header = clientFrame(0x80 | kBinary, "");
    header.resize(1);
    header += static_cast<char>(0x80 | 127);
    const std::uint64_t n = (1u << 20) + 1;
    for (int i = 7; i >= 0; --i)
        header += static_cast<char>((n >> (8 * i)) & 0xFF);
    EXPECT_EQ(answerTo(header + "mask"), 1009);
    const std::string half(600 * 1024, ' ');
    EXPECT_EQ(answerTo(clientFrame(kBinary, half) + fin(kContinuation, half)), 1009);
}

TEST_F(ShellProtocolTest, ValidCloseCodesAreEchoed) {
    EXPECT_EQ(answerTo(fin(kClose, codeBytes(4000) + "bye")), 4000);
    EXPECT_EQ(answerTo(fin(kClose, codeBytes(1001))), 1001);
    EXPECT_EQ(answerTo(fin(kClose, "")), 1000);
}

TEST_F(ShellProtocolTest, FragmentedInputWithPingsBetweenTheFragments) {
    auto shell = open();
    const std::string input = R"({"type":"input","data":"echo frag-$((6*7))\n"})";
    shell->send(clientFrame(kText, input.substr(0, 10)) + fin(kPing, "one") +
                clientFrame(kContinuation, input.substr(10, 15)) + fin(kPong, "") +
                fin(kPing, "two") + fin(kContinuation, input.substr(25)));
    std::string out;
    std::vector<std::string> pongs;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (out.find("frag-42") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
        auto f = shell->next();
        ASSERT_TRUE(f) << "connection closed; output so far: " << out;
        if (f->opcode == kPong)
            pongs.push_back(f->payload);
        if (f->opcode == kText) {
            auto j = Json::parse(f->payload);
            if (j["type"] == "stdout")
                out += j["data"].get<std::string>();
        }
    }
    EXPECT_NE(out.find("frag-42"), std::string::npos) << out;
    EXPECT_EQ(pongs, (std::vector<std::string>{"one", "two"}));
    shell->send(fin(kClose, codeBytes(1000)));
    EXPECT_EQ(shell->closeCode(), 1000);
    EXPECT_TRUE(shell->closedByServer());
}
