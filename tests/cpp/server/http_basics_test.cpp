// Transport-level behaviour: exact tiers body, headers on every response, routing, JSON and size
// errors, auth (docs/protocol.md §1.2, §1.3, §2.1, §3, §8, §11.3).
#include "server_fixture.hpp"

namespace sockt::testing {
namespace {

class HttpBasics : public ServerTest {};

TEST_F(HttpBasics, TiersBodyIsByteExact) {
    auto r = get("/v1/sandboxes/tiers", "");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "application/json");
    const std::string expected =
        R"({"note":"usd_cents_per_second applies to credits billing; msats_per_second to lightning billing.","tiers":[)"
        R"({"tier":"nano","name":"nano","msats_per_second":500,"sats_per_second":0.5,"usd_cents_per_second":0.000277,"cost_per_minute_sats":30,"cost_per_hour_sats":1800,"cost_per_day_sats":43200,"cost_per_hour_usd":0.01},)"
        R"({"tier":"micro","name":"micro","msats_per_second":1000,"sats_per_second":1.0,"usd_cents_per_second":0.000555,"cost_per_minute_sats":60,"cost_per_hour_sats":3600,"cost_per_day_sats":86400,"cost_per_hour_usd":0.02},)"
        R"({"tier":"small","name":"small","msats_per_second":2500,"sats_per_second":2.5,"usd_cents_per_second":0.001388,"cost_per_minute_sats":150,"cost_per_hour_sats":9000,"cost_per_day_sats":216000,"cost_per_hour_usd":0.05},)"
        R"({"tier":"medium","name":"medium","msats_per_second":5000,"sats_per_second":5.0,"usd_cents_per_second":0.002777,"cost_per_minute_sats":300,"cost_per_hour_sats":18000,"cost_per_day_sats":432000,"cost_per_hour_usd":0.1},)"
        R"({"tier":"large","name":"large","msats_per_second":10000,"sats_per_second":10.0,"usd_cents_per_second":0.005555,"cost_per_minute_sats":600,"cost_per_hour_sats":36000,"cost_per_day_sats":864000,"cost_per_hour_usd":0.2},)"
        R"({"tier":"gpu-small","name":"gpu-small","msats_per_second":25000,"sats_per_second":25.0,"usd_cents_per_second":0.013888,"cost_per_minute_sats":1500,"cost_per_hour_sats":90000,"cost_per_day_sats":2160000,"cost_per_hour_usd":0.5}]})";
    EXPECT_EQ(r.body, expected);
}

TEST_F(HttpBasics, RequestIdAndExtensionsOnEveryResponse) {
    auto ok = get("/v1/sandboxes/tiers", "");
    EXPECT_EQ(ok.header("sockt-extensions"), "long-poll, replay");
    const auto rid = ok.header("x-request-id");
    ASSERT_EQ(rid.size(), 28u);
    EXPECT_EQ(rid.rfind("req_", 0), 0u);

    auto err = get("/v1/nothing", "");
    EXPECT_EQ(err.status, 404);
    EXPECT_EQ(err.header("sockt-extensions"), "long-poll, replay");
    EXPECT_EQ(err.json()["request_id"], err.header("x-request-id"));

    HttpCall c{"GET", "/v1/sandboxes/tiers"};
    c.headers = {{"X-Request-Id", "my.trace-id_01"}};
    EXPECT_EQ(httpCall(url(), c).header("x-request-id"), "my.trace-id_01");
    c.headers = {{"X-Request-Id", "bad id with spaces"}};
    EXPECT_EQ(httpCall(url(), c).header("x-request-id").rfind("req_", 0), 0u);
}

TEST_F(HttpBasics, UnknownRouteAndWrongMethod) {
    auto nf = get("/v1/sandboxes/x/unknown", key());
    EXPECT_EQ(nf.status, 404);
    auto env = nf.json();
    EXPECT_EQ(env["code"], "not_found");
    EXPECT_EQ(env["error"], "not found");
    std::vector<std::string> keys;
    for (auto it = env.begin(); it != env.end(); ++it)
        keys.push_back(it.key());
    EXPECT_EQ(keys.size(), 5u);

    auto list = get("/v1/sandboxes", key());
    EXPECT_EQ(list.status, 405);
    EXPECT_EQ(list.header("allow"), "POST");
    EXPECT_EQ(list.code(), "method_not_allowed");
    auto put = httpCall(url(), HttpCall{"PUT", "/v1/sandboxes/abc", std::string("{}"), key()});
    EXPECT_EQ(put.status, 405);
    EXPECT_EQ(put.header("allow"), "GET, DELETE");
    auto mcp_get = get("/v1/mcp", "");
    EXPECT_EQ(mcp_get.status, 405);
}

TEST_F(HttpBasics, MalformedJsonWrongTypesMissingFields) {
    auto bad = httpCall(url(), HttpCall{"POST", "/v1/sandboxes", std::string("{not json"), key()});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(bad.code(), "invalid_params");
    auto arr = httpCall(url(), HttpCall{"POST", "/v1/sandboxes", std::string("[1,2]"), key()});
    EXPECT_EQ(arr.code(), "invalid_params");
    EXPECT_EQ(post("/v1/sandboxes", Json{{"tier", 5}}, key()).code(), "invalid_params");
    EXPECT_EQ(post("/v1/sandboxes", Json{{"tier", "standard"}}, key()).code(), "invalid_params");
    EXPECT_EQ(post("/v1/sandboxes", Json{{"billing_method", "cash"}}, key()).code(),
              "invalid_params");
    EXPECT_EQ(post("/v1/sandboxes", Json{{"label", std::string(129, 'a')}}, key()).code(),
              "invalid_params");
    EXPECT_EQ(post("/v1/sandboxes", Json{{"billing_method", "lightning"}, {"prepaid_sats", 0}}, "")
                  .code(),
              "invalid_params");
    const auto id = runningSandbox();
    EXPECT_EQ(post("/v1/sandboxes/" + id + "/exec", Json::object(), key()).code(),
              "invalid_params");
    EXPECT_EQ(
        post("/v1/sandboxes/" + id + "/exec", Json{{"command", "true"}, {"timeout_ms", "x"}}, key())
            .code(),
        "invalid_params");
    EXPECT_EQ(
        post("/v1/sandboxes/" + id + "/exec", Json{{"command", "true"}, {"timeout_ms", -1}}, key())
            .code(),
        "invalid_params");
    EXPECT_EQ(post("/v1/sandboxes/" + id + "/files/write", Json{{"path", "a"}}, key()).code(),
              "invalid_params");
    EXPECT_EQ(get("/v1/sandboxes/" + id + "/files?recursive=maybe", key()).code(),
              "invalid_params");
    // A missing or wrong Content-Type on a JSON body is accepted (§1.2).
    HttpCall c{"POST", "/v1/sandboxes/" + id + "/exec", std::string(R"({"command":"true"})"),
               key()};
    c.headers = {{"Content-Type", "text/plain"}};
    EXPECT_EQ(httpCall(url(), c).status, 200);
}

TEST_F(HttpBasics, OversizedBodiesGet413) {
    const std::string big((72u * 1024 * 1024) + 16, 'a');
    HttpCall declared{"POST", "/v1/sandboxes", std::string("{}"), key()};
    declared.declared_length = 80LL * 1024 * 1024;
    auto r = httpCall(url(), declared);
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.code(), "payload_too_large");
    HttpCall chunked{"POST", "/v1/sandboxes", big, key()};
    chunked.chunked = true;
    auto rc = httpCall(url(), chunked);
    EXPECT_EQ(rc.status, 413);
    // The server is still healthy.
    EXPECT_EQ(get("/v1/sandboxes/tiers", "").status, 200);
}

TEST_F(HttpBasics, AuthenticationAndOwnership) {
    auto none = get("/v1/sandboxes/00000000-0000-4000-8000-000000000000", "");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.code(), "unauthorized");
    EXPECT_EQ(
        get("/v1/sandboxes/00000000-0000-4000-8000-000000000000", "sockt_live_unknown").status,
        401);
    EXPECT_EQ(get("/v1/sandboxes/00000000-0000-4000-8000-000000000000", key()).status, 404);
    EXPECT_EQ(post("/v1/sandboxes", Json::object(), "").status, 401);
    EXPECT_EQ(post("/v1/sandboxes", Json::object(), "sbx_0123").status, 401);

    const auto id = runningSandbox();
    // Credentials in the query and the body are honoured too.
    EXPECT_EQ(get("/v1/sandboxes/" + id + "?sandbox_token=" + key(), "").status, 200);
    auto r = post("/v1/sandboxes/" + id + "/exec",
                  Json{{"command", "true"}, {"sandbox_token", key()}}, "");
    EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(HttpBasics, HealthRoute) {
    auto r = get("/local/v1/health", "");
    ASSERT_EQ(r.status, 200);
    auto j = r.json();
    EXPECT_EQ(j["ok"], true);
    EXPECT_TRUE(j["isolation"] == "bwrap" || j["isolation"] == "none");
    EXPECT_EQ(j["data_dir"].get<std::string>().find("sockt-serve-test"),
              j["data_dir"].get<std::string>().find("sockt-serve-test"));
    EXPECT_FALSE(j["version"].get<std::string>().empty());
}

TEST_F(HttpBasics, StartupLineAndLogNeverLeakSecrets) {
    EXPECT_EQ(serve_->exportLine().rfind("export SOCKT_API_URL=http://127.0.0.1:", 0), 0u);
    EXPECT_EQ(key().rfind("sockt_live_", 0), 0u);
    const auto id = runningSandbox();
    get("/v1/sandboxes/" + id + "?sandbox_token=" + key(), "");
    const auto log = serve_->stderrText();
    EXPECT_EQ(log.find(key()), std::string::npos);
    EXPECT_NE(log.find("GET /v1/sandboxes/" + id + " 200 "), std::string::npos);
}

} // namespace
} // namespace sockt::testing
