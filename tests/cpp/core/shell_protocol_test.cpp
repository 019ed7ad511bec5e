// The shell client against a scripted WebSocket server (RFC 6455, docs/protocol.md §6): what a
// server may not send ends the session with the right close code, sent to the server and reported
// by closeCode(); fragmented messages arrive whole; pings between fragments are answered, and the
// close echo comes after everything queued before it.
#include "core_test_helpers.hpp"
#include "fixture_server.hpp"
#include "wire/ws_frame.hpp"
#include "wire/ws_message.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <chrono>
#include <future>
#include <gtest/gtest.h>
#include <sockt/sockt.hpp>
#include <thread>

using namespace sockt;
using namespace sockt::testing;
using namespace std::chrono_literals;
namespace ws = sockt::detail::ws;

namespace {

/// What the client sent back to the peer.
struct Heard {
    std::vector<ws::Message> messages; // every message, close frame included
    int close_code = 0;                // of the client's close frame (0: none before EOF)
};

/// One WebSocket server connection on loopback: completes the handshake, writes `script`, then
/// reads the client's frames until its close frame, EOF or 10 s.
class ScriptedPeer {
public:
    explicit ScriptedPeer(std::string script)
        : listener_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        thread_ = std::thread([this, script = std::move(script)] { serve(script); });
    }
    ~ScriptedPeer() {
        listener_.close();
        thread_.join();
    }

    std::string url() const {
        return "ws://127.0.0.1:" + std::to_string(listener_.address().port()) + "/shell?ticket=t";
    }
    Heard heard() {
        auto result = heard_.get_future();
        if (result.wait_for(15s) != std::future_status::ready)
            throw std::runtime_error("the scripted peer did not finish");
        return result.get();
    }

private:
    void serve(const std::string& script) {
        Heard heard;
        try {
            if (!listener_.poll(Poco::Timespan(10, 0), Poco::Net::Socket::SELECT_READ))
                throw std::runtime_error("no connection");
            Poco::Net::StreamSocket socket = listener_.acceptConnection();
            socket.setReceiveTimeout(Poco::Timespan(10, 0));
            std::string head;
            char buf[4096];
            while (head.find("\r\n\r\n") == std::string::npos) {
                int n = socket.receiveBytes(buf, sizeof buf);
                if (n <= 0)
                    throw std::runtime_error("no upgrade request");
                head.append(buf, static_cast<std::size_t>(n));
            }
            const std::string marker = "Sec-WebSocket-Key: ";
            const auto at = head.find(marker) + marker.size();
            const std::string key = head.substr(at, head.find("\r\n", at) - at);
            const std::string answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                       "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                       ws::acceptKey(key) + "\r\n\r\n";
            socket.sendBytes(answer.data(), static_cast<int>(answer.size()));
            socket.sendBytes(script.data(), static_cast<int>(script.size()));
            ws::FrameParser parser(ws::Sender::Client, 1 << 20);
            ws::MessageAssembler assembler(1 << 20);
            while (heard.close_code == 0) {
                int n = socket.receiveBytes(buf, sizeof buf);
                if (n <= 0)
                    break;
                parser.feed(buf, static_cast<std::size_t>(n));
                while (auto frame = parser.next()) {
                    auto message = assembler.take(std::move(*frame));
                    if (!message)
                        continue;
                    if (message->kind == ws::Message::Kind::Close)
                        heard.close_code = message->close_code;
                    heard.messages.push_back(std::move(*message));
                }
            }
        } catch (const Poco::Exception&) {
        } catch (const std::exception&) {
        } catch (const ws::ProtocolViolation&) {
        }
        heard_.set_value(std::move(heard));
    }

    Poco::Net::ServerSocket listener_;
    std::promise<Heard> heard_;
    std::thread thread_;
};

std::string serverFrame(std::uint8_t opcode, const std::string& payload, bool fin = true) {
    return ws::encodeFrame(ws::Sender::Server, opcode, payload, fin);
}

std::string withFirstByte(std::string frame, int first_byte) {
    frame[0] = static_cast<char>(first_byte);
    return frame;
}

class ShellProtocol : public ::testing::Test {
protected:
    /// A connected shell session whose WebSocket peer plays `script`.
    ShellSession connect(ScriptedPeer& peer) {
        server_.setHandler([&peer](const RecordedRequest& r) {
            if (r.path.size() > 10 && r.path.compare(r.path.size() - 10, 10, "/shell-url") == 0)
                return Reply::json(200, nlohmann::json{{"url", peer.url()}}.dump());
            return Reply::json(200, statusBody("running"));
        });
        Sandbox sandbox = client_.getSandbox(kSandboxId);
        ShellSession shell = sandbox.shell();
        shell.connect();
        return shell;
    }

    /// Every frame until the session ends (bounded: the peer's script is finite).
    static std::vector<ShellFrame> drain(ShellSession& shell) {
        std::vector<ShellFrame> frames;
        while (auto f = shell.recv(10s))
            frames.push_back(std::move(*f));
        return frames;
    }

    /// The code the client fails the connection with when the server sends `script`.
    int failureCode(const std::string& script) {
        ScriptedPeer peer(script);
        ShellSession shell = connect(peer);
        drain(shell);
        const Heard heard = peer.heard();
        EXPECT_EQ(shell.closeCode(), heard.close_code);
        EXPECT_FALSE(shell.connected());
        return heard.close_code;
    }

    FixtureServer server_;
    ComputeClient client_{optionsFor(server_)};
};

} // namespace

TEST_F(ShellProtocol, ViolationsInServerFramesCloseWith1002) {
    const std::string ok = serverFrame(ws::kText, R"({"type":"stdout","data":"x"})");
    struct Case {
        const char* what;
        std::string script;
    };
    const Case cases[] = {
        {"masked server frame", ws::encodeClientFrame(ws::kText, "{}")},
        {"RSV1 without an extension", withFirstByte(ok, 0xC1)},
        {"RSV3", withFirstByte(ok, 0x91)},
        {"reserved data opcode", serverFrame(0x3, "x")},
        {"reserved control opcode", serverFrame(0xB, "x")},
        {"continuation without a message", serverFrame(ws::kContinuation, "x")},
        {"new message inside a fragmented one",
         serverFrame(ws::kText, "{", false) + serverFrame(ws::kText, "}")},
        {"ping over 125 bytes", serverFrame(ws::kPing, std::string(126, 'p'))},
        {"fragmented ping", serverFrame(ws::kPing, "p", false)},
        {"close code 999", serverFrame(ws::kClose, ws::closePayload(999))},
        {"close code 1005 on the wire", serverFrame(ws::kClose, ws::closePayload(1005))},
        {"close code 1006 on the wire", serverFrame(ws::kClose, ws::closePayload(1006))},
        {"close with a 1-byte payload", serverFrame(ws::kClose, std::string(1, '\x03'))},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        EXPECT_EQ(failureCode(ok + c.script), 1002);
    }
}

TEST_F(ShellProtocol, InvalidUtf8InTextClosesWith1007) {
    EXPECT_EQ(failureCode(serverFrame(ws::kText, "{\"type\":\"stdout\",\"data\":\"\xC0\xAF\"}")),
              1007);
    EXPECT_EQ(failureCode(serverFrame(ws::kClose, ws::closePayload(1000, "\xFF"))), 1007);
}

TEST_F(ShellProtocol, FrameOverTheLimitClosesWith1009) {
    // 17 MiB announced; the client fails as soon as it reads the length.
    std::string header = serverFrame(ws::kBinary, "").substr(0, 1);
    header += static_cast<char>(127);
    const std::uint64_t n = 17u << 20;
    for (int i = 7; i >= 0; --i)
        header += static_cast<char>((n >> (8 * i)) & 0xFF);
    EXPECT_EQ(failureCode(header), 1009);
}

TEST_F(ShellProtocol, FragmentsArriveWholeAndPingsBetweenThemAreAnswered) {
    ScriptedPeer peer(
        serverFrame(ws::kText, R"({"type":"std)", false) + serverFrame(ws::kPing, "heartbeat") +
        serverFrame(ws::kContinuation, R"(out","data":"he)", false) +
        serverFrame(ws::kPong, "unsolicited") + serverFrame(ws::kContinuation, R"(llo"})") +
        serverFrame(ws::kBinary, "raw\x01") +
        serverFrame(ws::kClose, ws::closePayload(4000, "done")));
    ShellSession shell = connect(peer);
    const auto frames = drain(shell);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].type, "stdout");
    EXPECT_EQ(frames[0].data, "hello");
    EXPECT_EQ(frames[1].type, "stdout");
    EXPECT_EQ(frames[1].data, "raw\x01");
    EXPECT_EQ(shell.closeCode(), 4000);

    const Heard heard = peer.heard();
    ASSERT_EQ(heard.messages.size(), 2u);
    EXPECT_EQ(heard.messages[0].kind, ws::Message::Kind::Pong);
    EXPECT_EQ(heard.messages[0].payload, "heartbeat");
    EXPECT_EQ(heard.messages[1].kind, ws::Message::Kind::Close);
    EXPECT_EQ(heard.close_code, 4000); // the server's code echoed
}

TEST_F(ShellProtocol, CloseWithoutACodeIsAnsweredWith1000) {
    ScriptedPeer peer(serverFrame(ws::kClose, ""));
    ShellSession shell = connect(peer);
    drain(shell);
    EXPECT_EQ(shell.closeCode(), 1005);
    EXPECT_EQ(peer.heard().close_code, 1000);
}
