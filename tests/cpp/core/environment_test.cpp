// Configuration resolution: parameter > environment > default (docs/protocol.md §12 rule 6).
#include "raw_server.hpp"

#include <gtest/gtest.h>
#include <sockt/sockt.hpp>
#include <thread>

using namespace sockt;
using namespace sockt::testing;
using namespace std::chrono_literals;

TEST(Environment, ParameterBeatsEnvBeatsDefault) {
    FixtureServer server;
    server.setHandler([](const RecordedRequest&) { return Reply::json(200, R"J({"tiers":[]})J"); });
    {
        EnvGuard env({{"SOCKT_API_KEY", "sockt_live_from_env_1111"},
                      {"SOCKT_SANDBOX_TOKEN", nullptr},
                      {"SOCKT_API_URL", server.url().c_str()}});
        ComputeClient from_env; // everything from the environment
        EXPECT_EQ(from_env.baseUrl(), server.url());
        from_env.listTiers();
        EXPECT_EQ(server.requests().back().header("authorization"),
                  "Bearer sockt_live_from_env_1111");

        ClientOptions o;
        o.api_key = "sockt_live_from_param_2222";
        ComputeClient from_param(o);
        from_param.listTiers();
        EXPECT_EQ(server.requests().back().header("authorization"),
                  "Bearer sockt_live_from_param_2222");

        ClientOptions empty;
        empty.api_key = ""; // empty counts as unset
        ComputeClient empty_param(empty);
        empty_param.listTiers();
        EXPECT_EQ(server.requests().back().header("authorization"),
                  "Bearer sockt_live_from_env_1111");

        ClientOptions ignore;
        ignore.ignore_env = true;
        ComputeClient ignoring(ignore);
        EXPECT_EQ(ignoring.baseUrl(), "https://api.sockt.dev");
    }
    {
        EnvGuard env({{"SOCKT_API_KEY", "sockt_live_from_env_1111"},
                      {"SOCKT_SANDBOX_TOKEN", "sbx_from_env_3333"},
                      {"SOCKT_API_URL", (server.url() + "/").c_str()}});
        ComputeClient both; // the sandbox token wins the Authorization header
        EXPECT_EQ(both.baseUrl(), server.url());
        both.listTiers();
        auto r = server.requests().back();
        EXPECT_EQ(r.header("authorization"), "Bearer sbx_from_env_3333");
        EXPECT_EQ(r.query.at("sandbox_token"), "sbx_from_env_3333");
    }
    {
        EnvGuard env({{"SOCKT_API_KEY", ""}, {"SOCKT_SANDBOX_TOKEN", ""}, {"SOCKT_API_URL", ""}});
        ComputeClient defaults;
        EXPECT_EQ(defaults.baseUrl(), "https://api.sockt.dev");
        EXPECT_EQ(defaults.describe(), "ComputeClient(base_url=https://api.sockt.dev)");
    }
}

TEST(Environment, CaFileFromEnvironment) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    EnvGuard env({{"SOCKT_CA_FILE", pki.ca_file.c_str()},
                  {"SOCKT_API_URL", server.url().c_str()},
                  {"SOCKT_API_KEY", nullptr},
                  {"SOCKT_SANDBOX_TOKEN", nullptr}});
    ComputeClient client;
    EXPECT_NO_THROW(client.listTiers());
    ClientOptions missing;
    missing.ca_file = "/nonexistent/ca.pem"; // a parameter beats the env
    ComputeClient broken(missing);
    EXPECT_THROW(broken.listTiers(), ConnectionError);
}

TEST(Environment, InvalidBaseUrlIsAnInvalidArgument) {
    ClientOptions o;
    o.ignore_env = true;
    o.base_url = "ftp://example.com";
    EXPECT_THROW(ComputeClient{o}, InvalidArgumentError);
    o.base_url = "not a url";
    EXPECT_THROW(ComputeClient{o}, InvalidArgumentError);
}
