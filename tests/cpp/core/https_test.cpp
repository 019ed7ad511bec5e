// HTTPS verification: the right certificate, a wrong host, an untrusted CA.
#include "raw_server.hpp"

#include <gtest/gtest.h>
#include <sockt/sockt.hpp>
#include <thread>

using namespace sockt;
using namespace sockt::testing;
using namespace std::chrono_literals;

TEST(Https, RightCertificateWorks) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    server.enqueue(Reply::json(200, R"J({"tiers":[{"tier":"nano"}]})J"));
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    ComputeClient client(opts);
    EXPECT_EQ(client.listTiers().size(), 1u);
    EXPECT_EQ(client.listTiers().size(), 0u);
    EXPECT_EQ(client.connectionsOpened(), 1u);
    // The same certificate also names `localhost`.
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    opts.base_url = server.urlWithHost("localhost");
    ComputeClient by_name(opts);
    EXPECT_NO_THROW(by_name.listTiers());
}

TEST(Https, WrongHostCertificateIsRejected) {
    auto pki = testPki();
    FixtureServer server(pki.wrong_host);
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    auto opts = optionsFor(server);
    opts.ca_file = pki.ca_file;
    ComputeClient client(opts);
    EXPECT_THROW(client.listTiers(), ConnectionError);
    EXPECT_EQ(server.requestCount(), 0u);
}

TEST(Https, UntrustedCaIsRejected) {
    auto pki = testPki();
    FixtureServer server(pki.good);
    server.enqueue(Reply::json(200, R"J({"tiers":[]})J"));
    auto opts = optionsFor(server); // system CAs only: the test CA is unknown
    ComputeClient client(opts);
    EXPECT_THROW(client.listTiers(), ConnectionError);
    EXPECT_EQ(server.requestCount(), 0u);
}
