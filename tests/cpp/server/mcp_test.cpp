// MCP endpoint (docs/protocol.md §9): a whole agent session over HTTP.
#include "server_fixture.hpp"

namespace sockt::testing {
namespace {

class Mcp : public ServerTest {
protected:
    HttpReply rpc(const Json& msg, const std::string& cred = {}) {
        return httpCall(url(), HttpCall{"POST", "/v1/mcp", msg.dump(), cred});
    }
    Json tool(const std::string& name, const Json& args, const std::string& cred,
              bool* is_error = nullptr) {
        auto r = rpc(Json{{"jsonrpc", "2.0"},
                          {"id", 7},
                          {"method", "tools/call"},
                          {"params", {{"name", name}, {"arguments", args}}}},
                     cred);
        EXPECT_EQ(r.status, 200) << r.body;
        auto res = r.json()["result"];
        if (is_error)
            *is_error = res["isError"];
        return Json::parse(res["content"][0]["text"].get<std::string>());
    }
};

TEST_F(Mcp, AgentSession) {
    auto init = rpc(Json{{"jsonrpc", "2.0"},
                         {"id", 1},
                         {"method", "initialize"},
                         {"params", {{"protocolVersion", "2025-03-26"}}}});
    ASSERT_EQ(init.status, 200);
    EXPECT_EQ(init.header("mcp-session-id").size(), 36u);
    auto ij = init.json();
    EXPECT_EQ(ij["id"], 1);
    EXPECT_EQ(ij["result"]["protocolVersion"], "2025-03-26");
    EXPECT_EQ(ij["result"]["serverInfo"]["name"], "sockt");
    auto note = rpc(Json{{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}});
    EXPECT_EQ(note.status, 202);
    EXPECT_TRUE(note.body.empty());

    auto list = rpc(Json{{"jsonrpc", "2.0"}, {"id", 2}, {"method", "tools/list"}}).json();
    std::vector<std::string> names;
    for (const auto& t : list["result"]["tools"])
        names.push_back(t["name"]);
    const std::vector<std::string> expected = {
        "sandbox_list_tiers",  "sandbox_create",      "sandbox_status",     "sandbox_exec",
        "sandbox_exec_result", "sandbox_exec_cancel", "sandbox_write_file", "sandbox_read_file",
        "sandbox_list_files",  "sandbox_pause",       "sandbox_resume",     "sandbox_terminate",
        "sandbox_run",         "sandbox_extend_balance"};
    EXPECT_EQ(names, expected);
    EXPECT_EQ(list["result"]["tools"][3]["inputSchema"]["required"],
              (Json{"sandbox_id", "command"}));

    bool err = true;
    auto created = tool("sandbox_create", Json{{"tier", "nano"}}, key(), &err);
    EXPECT_FALSE(err) << created.dump();
    const std::string id = created["sandbox_id"];
    waitStatus(id, "running", key());
    auto w =
        tool("sandbox_write_file",
             Json{{"sandbox_id", id}, {"path", "hi.py"}, {"content", "print(6*7)"}}, key(), &err);
    EXPECT_FALSE(err) << w.dump();
    auto ran = tool("sandbox_run",
                    Json{{"sandbox_id", id}, {"command", "python3 hi.py; echo e >&2; exit 2"}},
                    key(), &err);
    EXPECT_FALSE(err);
    EXPECT_EQ(ran["status"], "completed");
    EXPECT_EQ(ran["stdout"], "42\n");
    EXPECT_EQ(ran["stderr"], "e\n");
    EXPECT_EQ(ran["exit_code"], 2);

    auto denied = tool("sandbox_status", Json{{"sandbox_id", id}}, "", &err);
    EXPECT_TRUE(err);
    EXPECT_EQ(denied["code"], "unauthorized");
    EXPECT_EQ(denied["http_status"], 401);

    auto t = tool("sandbox_terminate", Json{{"sandbox_id", id}}, key(), &err);
    EXPECT_FALSE(err);
    EXPECT_EQ(t["status"], "terminated");
    auto after = tool("sandbox_exec", Json{{"sandbox_id", id}, {"command", "true"}}, key(), &err);
    EXPECT_TRUE(err);
    EXPECT_EQ(after["http_status"], 410);
}

TEST_F(Mcp, ProtocolErrors) {
    auto parse = httpCall(url(), HttpCall{"POST", "/v1/mcp", std::string("{oops"), ""});
    EXPECT_EQ(parse.json()["error"]["code"], -32700);
    EXPECT_TRUE(parse.json()["id"].is_null());
    auto batch = rpc(Json::array({Json{{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}}}));
    EXPECT_EQ(batch.status, 400);
    EXPECT_EQ(batch.json()["error"]["message"], "batch requests are not supported");
    EXPECT_EQ(rpc(Json{{"jsonrpc", "2.0"}, {"id", 3}, {"method", "nope"}}).json()["error"]["code"],
              -32601);
    auto unknown = rpc(
        Json{{"jsonrpc", "2.0"}, {"id", 4}, {"method", "tools/call"}, {"params", {{"name", "x"}}}});
    EXPECT_EQ(unknown.json()["error"]["message"], "Unknown tool: x");
    EXPECT_EQ(rpc(Json{{"jsonrpc", "2.0"}, {"id", 5}, {"method", "ping"}}).json()["result"],
              Json::object());
    EXPECT_EQ(httpDelete(url(), "/v1/mcp").status, 204);
}

} // namespace
} // namespace sockt::testing
