// The shell limit under parallel upgrades (docs/protocol.md §6.1: at most 5 concurrent shells per
// sandbox, else 429 too_many_executions before the upgrade): the place is taken atomically
// before the handshake and given back on every way out, failed upgrades included.
#include "server_fixture.hpp"

#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketStream.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>
#include <future>
#include <map>

namespace sockt::testing {
namespace {

struct Upgrade {
    int status = 0;
    std::string code; // the envelope's code when refused
    std::unique_ptr<Poco::Net::StreamSocket> socket; // kept open: the shell lives while it is
};

class HostileShells : public ServerTest {
protected:
    /// Sends a WebSocket upgrade for the sandbox's shell (`valid`: with the headers a handshake
    /// needs) and reads the answer's head, keeping the connection.
    Upgrade upgrade(const std::string& id, bool valid = true) {
        const Poco::URI base(url());
        Upgrade u;
        u.socket = std::make_unique<Poco::Net::StreamSocket>(
            Poco::Net::SocketAddress(base.getHost(), base.getPort()));
        u.socket->setReceiveTimeout(Poco::Timespan(30, 0));
        std::string request = "GET /v1/sandboxes/" + id + "/shell HTTP/1.1\r\nHost: x\r\n" +
                              "Authorization: Bearer " + key() + "\r\n";
        if (valid)
            request += "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        request += "\r\n";
        u.socket->sendBytes(request.data(), static_cast<int>(request.size()));
        Poco::Net::SocketInputStream in(*u.socket);
        Poco::Net::HTTPResponse head;
        head.read(in);
        u.status = head.getStatus();
        if (head.hasContentLength()) {
            std::string body(static_cast<std::size_t>(head.getContentLength64()), '\0');
            in.read(body.data(), static_cast<std::streamsize>(body.size()));
            u.code = HttpReply{u.status, body, {}}.code();
        }
        return u;
    }
};

TEST_F(HostileShells, TwentyParallelUpgradesGetFiveShells) {
    const auto id = runningSandbox();
    std::promise<void> go;
    const std::shared_future<void> gate = go.get_future().share();
    std::vector<std::future<Upgrade>> calls;
    for (int i = 0; i < 20; ++i)
        calls.push_back(std::async(std::launch::async, [&, gate] {
            gate.wait();
            return upgrade(id);
        }));
    std::vector<Upgrade> done;
    const auto m = measure([&] {
        go.set_value();
        for (auto& c : calls)
            done.push_back(c.get());
        return HttpReply{};
    });
    std::map<int, int> statuses;
    for (const auto& u : done) {
        ++statuses[u.status];
        if (u.status == 429)
            EXPECT_EQ(u.code, "too_many_executions");
    }
    EXPECT_EQ(statuses, (std::map<int, int>{{101, 5}, {429, 15}}));
    expectCheap(m, 20.0, 256 * 1024 * 1024);
    // Closing the shells gives their places back.
    done.clear();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    Upgrade again;
    do {
        again = upgrade(id);
    } while (again.status != 101 && std::chrono::steady_clock::now() < deadline);
    EXPECT_EQ(again.status, 101);
}

TEST_F(HostileShells, FailedUpgradesGiveTheirPlaceBack) {
    const auto id = runningSandbox();
    for (int i = 0; i < 10; ++i) {
        const auto bad = upgrade(id, false);
        EXPECT_EQ(bad.status, 400);
        EXPECT_EQ(bad.code, "invalid_params");
    }
    std::vector<Upgrade> shells;
    for (int i = 0; i < 5; ++i) {
        shells.push_back(upgrade(id));
        EXPECT_EQ(shells.back().status, 101);
    }
    EXPECT_EQ(upgrade(id).code, "too_many_executions");
}

} // namespace
} // namespace sockt::testing
