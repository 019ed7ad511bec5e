// The core client (libsockt) against the server: the path every SDK takes.
#include "server_fixture.hpp"

#include <sockt/client.hpp>
#include <sockt/errors.hpp>

namespace sockt::testing {
namespace {

class CoreClient : public ServerTest {
protected:
    sockt::ComputeClient client() {
        sockt::ClientOptions o;
        o.api_key = key();
        o.base_url = url();
        o.ignore_env = true;
        return sockt::ComputeClient(o);
    }
};

TEST_F(CoreClient, CreateExecFilesTerminate) {
    auto c = client();
    auto tiers = c.listTiers();
    ASSERT_EQ(tiers.size(), 6u);
    EXPECT_EQ(tiers[0].name, "nano");
    sockt::CreateSandboxOptions opts;
    opts.label = "core";
    auto sb = c.createSandbox(opts);
    sb.waitUntilRunning();
    EXPECT_EQ(sb.refreshStatus().status, "running");
    EXPECT_TRUE(c.supportsLongPoll());
    sb.writeFile("x/data.txt", "payload");
    EXPECT_EQ(sb.readFile("x/data.txt"), "payload");
    auto r = sb.execSync("cat x/data.txt; echo; echo oops >&2; exit 5");
    EXPECT_EQ(r.status, "completed");
    EXPECT_EQ(r.stdoutText(), "payload\n");
    EXPECT_EQ(r.stderrText(), "oops\n");
    EXPECT_EQ(r.exit_code, 5);
    auto t = sb.terminate();
    EXPECT_EQ(t.status, "terminated");
    try {
        sb.execSync("true");
        ADD_FAILURE() << "exec on a terminated sandbox succeeded";
    } catch (const sockt::SocktError& e) {
        EXPECT_EQ(e.slug(), "sandbox_terminated");
        EXPECT_EQ(e.statusCode(), 410);
    }
}

} // namespace
} // namespace sockt::testing
