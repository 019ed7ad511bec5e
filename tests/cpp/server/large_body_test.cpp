// files/write and files/read bodies on the server's fast paths (bench findings S1-S5): a write's
// `content` is cut out of the raw body without the JSON lexer when that is exact, else the body
// takes the general parser; a read answer is serialized without a DOM. Both paths must answer
// byte for byte as the general one did (docs/protocol.md §2.10, §2.11, §3.1, §3.4).
#include "server_fixture.hpp"
#include "sockt/models.hpp"

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace sockt::testing {
namespace {

using OrderedJson = nlohmann::ordered_json;

std::string randomBytes(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::string out(n, '\0');
    for (auto& c : out)
        c = static_cast<char>(gen() & 0xFF);
    return out;
}

class LargeBody : public ServerTest {
protected:
    void SetUp() override {
        ServerTest::SetUp();
        id_ = runningSandbox();
    }

    HttpReply rawPost(const std::string& route, const std::string& body, const std::string& bearer,
                      const std::string& user_agent = {}, bool chunked = false) {
        HttpCall c{"POST", "/v1/sandboxes/" + id_ + "/files/" + route, body, bearer};
        if (!user_agent.empty())
            c.headers = {{"User-Agent", user_agent}};
        c.chunked = chunked;
        return httpCall(url(), c);
    }
    HttpReply write(const std::string& body, bool chunked = false) {
        return rawPost("write", body, key(), {}, chunked);
    }

    /// The file's bytes as the host sees them ("" with a failure when it does not exist).
    std::string onDisk(const std::string& rel) {
        const auto p = std::filesystem::path(serve_->dataDir()) / "sandboxes" / id_ / "home" / rel;
        std::ifstream in(p, std::ios::binary);
        EXPECT_TRUE(in.good()) << p;
        std::ostringstream s;
        s << in.rdbuf();
        return s.str();
    }

    /// Expects the §2.10 answer for a file that did not exist in an existing directory.
    void expectWritten(const HttpReply& r, const std::string& rel, std::size_t size) {
        ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
        EXPECT_EQ(r.body, R"({"path":"/home/sandbox/)" + rel + R"(","bytes_written":)" +
                              std::to_string(size) + R"(,"created_dirs":false})");
    }

    /// Expects an error envelope (§3.1) with this status, code and message.
    static void expectError(const HttpReply& r, int status, const std::string& code,
                            const std::string& message) {
        EXPECT_EQ(r.status, status) << r.body.substr(0, 300);
        const auto j = Json::parse(r.body, nullptr, false);
        ASSERT_TRUE(j.is_object()) << r.body.substr(0, 300);
        EXPECT_EQ(j.value("code", ""), code);
        EXPECT_EQ(j.value("message", ""), message);
        EXPECT_EQ(j.value("request_id", ""), r.header("x-request-id"));
        EXPECT_EQ(r.header("content-type"), "application/json");
    }

    std::string id_;
};

TEST_F(LargeBody, PlainContentInAnyKeyOrderWritesTheExactBytes) {
    // Sizes around the 3-byte quantum and the slices of the encoder and the body reader.
    const std::size_t sizes[] = {0, 1, 2, 3, 4, 5, 49151, 49152, 49153, 1048577};
    unsigned seed = 1;
    for (std::size_t n : sizes) {
        const auto bytes = randomBytes(n, seed++);
        const auto b64 = sockt::base64Encode(bytes);
        const std::string name = "plain" + std::to_string(n);
        const std::string bodies[] = {
            R"({"path":")" + name + R"(a","content":")" + b64 + R"(","encoding":"base64"})",
            R"({"content":")" + b64 + R"(","path":")" + name + R"(b","encoding":"base64"})",
            R"({"encoding":"base64","path":")" + name + R"(c","content":")" + b64 + R"("})",
            " \r\n{ \"path\" : \"" + name + "d\" ,\n\t\"content\"  :  \"" + b64 +
                "\" , \"encoding\":\"base64\" }\n ",
        };
        const char suffix[] = {'a', 'b', 'c', 'd'};
        for (int i = 0; i < 4; ++i) {
            SCOPED_TRACE(name + suffix[i]);
            expectWritten(write(bodies[i]), name + suffix[i], n);
            EXPECT_EQ(onDisk(name + suffix[i]), bytes);
        }
    }
    // utf8 text without escapes takes the same path; other keys may hold anything.
    const std::string text = "plain ascii ~!@#$%^&*()_+{}[]:;'<>,.?/|";
    auto r =
        write(R"({"meta":{"content":"decoy","list":[1,{"content":"x"}],"s":"a\"content\":\"b"},)"
              R"("n":-1.5e3,"t":true,"f":false,"z":null,"path":"text.txt","content":")" +
              text + R"("})");
    expectWritten(r, "text.txt", text.size());
    EXPECT_EQ(onDisk("text.txt"), text);
}

TEST_F(LargeBody, BodiesOutsideTheCutTakeTheGeneralParser) {
    const auto bytes = randomBytes(300000, 42);
    const auto b64 = sockt::base64Encode(bytes);
    std::string escaped_slashes; // `\/` is a valid JSON escape of '/'
    for (char c : b64)
        escaped_slashes += c == '/' ? std::string("\\/") : std::string(1, c);
    ASSERT_NE(escaped_slashes.size(), b64.size());
    const std::string wrapped = b64.substr(0, 76) + "\\n" + b64.substr(76); // base64 skips it

    expectWritten(
        write(R"({"path":"esc","content":")" + escaped_slashes + R"(","encoding":"base64"})"),
        "esc", bytes.size());
    EXPECT_EQ(onDisk("esc"), bytes);
    expectWritten(write(R"({"path":"wrap","content":")" + wrapped + R"(","encoding":"base64"})"),
                  "wrap", bytes.size());
    EXPECT_EQ(onDisk("wrap"), bytes);
    // An escaped key that spells "content".
    expectWritten(write(R"({"path":"key","cont\u0065nt":"QUJD","encoding":"base64"})"), "key", 3);
    EXPECT_EQ(onDisk("key"), "ABC");
    // A key holding an escaped quote followed by the text content.
    expectWritten(
        write(R"({"a\"content":"zzz","path":"qkey","content":"QUJD","encoding":"base64"})"), "qkey",
        3);
    EXPECT_EQ(onDisk("qkey"), "ABC");
    // Non-ASCII text (its UTF-8 is the lexer's to validate) and a byte order mark.
    expectWritten(write("{\"path\":\"utf.txt\",\"content\":\"h\xC3\xA9llo \xE2\x9C\x93\"}"),
                  "utf.txt", 10);
    EXPECT_EQ(onDisk("utf.txt"), "h\xC3\xA9llo \xE2\x9C\x93");
    expectWritten(
        write("\xEF\xBB\xBF{\"path\":\"bom\",\"content\":\"QUJD\",\"encoding\":\"base64\"}"), "bom",
        3);
    EXPECT_EQ(onDisk("bom"), "ABC");
    // A path containing the very text the cut looks for.
    auto r = write(R"({"path":"dir/\"content\":\"x","content":"QUJD","encoding":"base64"})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["path"], "/home/sandbox/dir/\"content\":\"x");
    EXPECT_EQ(onDisk("dir/\"content\":\"x"), "ABC");
    // A chunked body (no Content-Length to reserve) on both paths.
    expectWritten(
        write(R"({"path":"chunk1","content":")" + b64 + R"(","encoding":"base64"})", true),
        "chunk1", bytes.size());
    EXPECT_EQ(onDisk("chunk1"), bytes);
    expectWritten(
        write(R"({"path":"chunk2","content":")" + wrapped + R"(","encoding":"base64"})", true),
        "chunk2", bytes.size());
    EXPECT_EQ(onDisk("chunk2"), bytes);
}

TEST_F(LargeBody, DuplicateContentKeysKeepTheParsersChoice) {
    // nlohmann keeps the last value of a repeated key; the cut declines such bodies.
    expectWritten(write(R"({"path":"dup1","content":"QUJD","content":"REVG","encoding":"base64"})"),
                  "dup1", 3);
    EXPECT_EQ(onDisk("dup1"), "DEF");
    expectWritten(write(R"({"content":"QUJD","path":"dup2","encoding":"base64","content":"R0hJ"})"),
                  "dup2", 3);
    EXPECT_EQ(onDisk("dup2"), "GHI");
}

TEST_F(LargeBody, ErrorsAreTheGeneralPathsErrors) {
    const auto big = sockt::base64Encode(randomBytes(200000, 7));
    // Invalid base64 with and without an escape in the value.
    expectError(write(R"({"path":"bad1","content":"@@@@","encoding":"base64"})"), 400,
                "invalid_params", "invalid base64 content");
    expectError(write(R"({"path":"bad2","content":"@@\/@","encoding":"base64"})"), 400,
                "invalid_params", "invalid base64 content");
    expectError(write(R"({"path":"bad3","content":"QUJD=","encoding":"base64"})"), 400,
                "invalid_params", "invalid base64 content");
    // Not JSON: truncated after, inside or before the value, trailing bytes, a raw control byte
    // or a bad token after a value the cut would take.
    for (const std::string& body :
         {R"({"path":"m1","content":")" + big + R"(")", R"({"path":"m2","content":")" + big,
          R"({"path":"m3","content":")" + big + R"(",)",
          std::string(R"({"content":"QUJD","path":})"),
          std::string(R"({"content":"QUJD","path":"m5"} x)"),
          std::string(R"({"content":"QUJD","path":"m6"}})"),
          std::string("{\"path\":\"m7\",\"content\":\"QU\x01JD\"}"),
          std::string(R"({"path":"m8","content":"QUJD","n":tru})"),
          std::string(R"({"path":"m9","content":"QUJD","n":"\q"})"),
          std::string(R"({"path":"m10","x":"\ud800","content":"QUJD"})"),
          std::string(R"({"path":"m11" "content":"QUJD"})"),
          std::string(R"({"path":"m12","content":"QUJD",})")}) {
        SCOPED_TRACE(body.substr(0, 60));
        expectError(write(body), 400, "invalid_params", "malformed JSON body");
    }
    expectError(write("[1,2]"), 400, "invalid_params", "the JSON body must be an object");
    // Missing or mistyped content, also when only a nested object has one.
    expectError(write(R"({"path":"x"})"), 400, "invalid_params", "missing required field: content");
    expectError(write(R"({"meta":{"content":"QUJD"},"path":"x"})"), 400, "invalid_params",
                "missing required field: content");
    expectError(write(R"({"path":"x","content":null})"), 400, "invalid_params",
                "missing required field: content");
    expectError(write(R"({"path":"x","content":5})"), 400, "invalid_params",
                "content must be a string");
    // Field checks keep their order around a cut-out content.
    expectError(write(R"({"content":"QUJD","path":""})"), 400, "invalid_params",
                "path must not be empty");
    expectError(write(R"({"content":"QUJD","path":5})"), 400, "invalid_params",
                "path must be a string");
    expectError(write(R"({"content":"QUJD","path":"x","encoding":"rot13"})"), 400, "invalid_params",
                "unknown encoding 'rot13' (use utf8 or base64)");
    expectError(write(R"({"content":"QUJD","path":"x","create_dirs":"yes"})"), 400,
                "invalid_params", "create_dirs must be a boolean");
    expectError(write(R"({"content":"QUJD","path":"v/w","create_dirs":false})"), 400,
                "invalid_params", "parent directory /home/sandbox/v does not exist");
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(serve_->dataDir()) / "sandboxes" /
                                         id_ / "home" / "bad1"));
}

TEST_F(LargeBody, AuthenticationPrecedesFieldErrorsButNotSyntax) {
    const std::string unknown = "sockt_live_00000000-0000-4000-8000-000000000000";
    // §3.4: step 3 (JSON syntax) comes before step 4 (authentication) ...
    expectError(rawPost("write", R"({"path":"a","content":"QUJD")", unknown), 400, "invalid_params",
                "malformed JSON body");
    // ... and every field check after it, on both paths.
    for (const std::string& body :
         {std::string(R"({"path":"a","content":"@@@@","encoding":"base64"})"),
          std::string(R"({"path":"a","content":"@@\/@","encoding":"base64"})"),
          std::string(R"({"path":"a"})"), std::string(R"({"path":"a","content":"QUJD"})")}) {
        SCOPED_TRACE(body);
        expectError(rawPost("write", body, unknown), 401, "unauthorized",
                    "missing or unknown credential");
        expectError(rawPost("write", body, ""), 401, "unauthorized",
                    "missing or unknown credential");
    }
    // The body credential is read from a body whose content was cut out.
    auto r = rawPost("write",
                     R"({"path":"tok","content":"QUJD","encoding":"base64","sandbox_token":")" +
                         key() + R"("})",
                     "");
    expectWritten(r, "tok", 3);
    expectError(rawPost("write",
                        R"({"path":"tok2","content":"QUJD","sandbox_token":"sbx_)"
                        R"(00000000000000000000000000000000"})",
                        ""),
                401, "unauthorized", "missing or unknown credential");
}

TEST_F(LargeBody, ReadAnswerIsTheCompactDumpOfItsFields) {
    const auto bytes = randomBytes(3 * 1024 * 1024 + 2, 9);
    const auto b64 = sockt::base64Encode(bytes);
    expectWritten(write(R"({"path":"r.bin","content":")" + b64 + R"(","encoding":"base64"})"),
                  "r.bin", bytes.size());
    const std::string read_body = R"({"path":"r.bin","encoding":"base64"})";

    struct Case {
        std::string user_agent;
        bool duplicate;
    };
    for (const auto& c : {Case{"", true}, Case{"python-requests/2.31", true},
                          Case{"sockt-cpp/0.3.0", false}, Case{"sockt-cli/0.3.0", false}}) {
        SCOPED_TRACE("User-Agent: " + c.user_agent);
        auto r = rawPost("read", read_body, key(), c.user_agent);
        ASSERT_EQ(r.status, 200);
        EXPECT_EQ(r.header("content-type"), "application/json");
        EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
        EXPECT_EQ(r.header("sockt-extensions"), "long-poll, replay");
        EXPECT_EQ(r.header("x-request-id").rfind("req_", 0), 0u);
        // What the DOM path produced: the compact dump of these keys in this order.
        const auto j = OrderedJson::parse(r.body);
        EXPECT_EQ(j.dump(), r.body);
        std::vector<std::string> keys;
        for (const auto& item : j.items())
            keys.push_back(item.key());
        std::vector<std::string> want = {"path",     "size_bytes", "size",
                                         "encoding", "truncated",  "content"};
        if (c.duplicate)
            want.push_back("content_b64");
        EXPECT_EQ(keys, want);
        EXPECT_EQ(j["path"], "/home/sandbox/r.bin");
        EXPECT_EQ(j["size_bytes"], bytes.size());
        EXPECT_EQ(j["size"], bytes.size());
        EXPECT_EQ(j["encoding"], "base64");
        EXPECT_EQ(j["truncated"], false);
        EXPECT_TRUE(j["content"] == b64); // not EXPECT_EQ: a failure would print 4 MB
        if (c.duplicate)
            EXPECT_TRUE(j["content_b64"] == b64);
    }
    // The same headers as an answer sent from a DOM (a status read).
    auto status = get("/v1/sandboxes/" + id_, key());
    auto read = rawPost("read", read_body, key());
    std::vector<std::string> status_headers, read_headers;
    for (const auto& [k, v] : status.headers)
        status_headers.push_back(k);
    for (const auto& [k, v] : read.headers)
        read_headers.push_back(k);
    EXPECT_EQ(read_headers, status_headers);
    // A client's request id is echoed and logged like any other.
    HttpCall traced{"POST", "/v1/sandboxes/" + id_ + "/files/read", read_body, key()};
    traced.headers = {{"X-Request-Id", "trace.large-read_1"}};
    EXPECT_EQ(httpCall(url(), traced).header("x-request-id"), "trace.large-read_1");
    EXPECT_NE(serve_->stderrText().find("POST /v1/sandboxes/" + id_ + "/files/read 200 "),
              std::string::npos);
    EXPECT_NE(serve_->stderrText().find("trace.large-read_1"), std::string::npos);
}

TEST_F(LargeBody, StreamedReadSendsBothTextsForOtherClients) {
    // A base64 answer is encoded while it is sent, the duplicate from a second pass over the
    // file: both texts must be the file's whole base64, in an answer of the advertised length.
    // 5 MiB + 1 is not a multiple of the 48 KiB slices nor of 3 (a padded last quantum).
    const auto bytes = randomBytes(5 * 1024 * 1024 + 1, 17);
    const auto b64 = sockt::base64Encode(bytes);
    expectWritten(write(R"({"path":"s.bin","content":")" + b64 + R"(","encoding":"base64"})"),
                  "s.bin", bytes.size());
    {
        auto r = rawPost("read", R"({"encoding":"base64","path":"s.bin"})", key(),
                         "official-sdk/1.0 python-requests/2.31");
        ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
        EXPECT_EQ(r.header("content-length"), std::to_string(r.body.size()));
        EXPECT_EQ(r.header("content-type"), "application/json");
        const auto j = OrderedJson::parse(r.body);
        EXPECT_EQ(j.dump(), r.body);
        EXPECT_TRUE(j["content"] == b64); // not EXPECT_EQ: a failure would print 7 MB
        EXPECT_TRUE(j["content_b64"] == b64);
        EXPECT_EQ(j["size_bytes"], bytes.size());
        EXPECT_EQ(j["truncated"], false);
    }
    // max_bytes cuts the streamed text at a quantum that is not a slice boundary.
    auto r = rawPost("read", R"({"path":"s.bin","encoding":"base64","max_bytes":100001})", key(),
                     "curl/8.0");
    ASSERT_EQ(r.status, 200);
    const auto j = OrderedJson::parse(r.body);
    EXPECT_TRUE(j["content"] == sockt::base64Encode(bytes.substr(0, 100001)));
    EXPECT_TRUE(j["content_b64"] == j["content"]);
    EXPECT_EQ(j["truncated"], true);
}

TEST_F(LargeBody, SmallAndTruncatedReadsKeepTheirBytes) {
    // Every padding case, a truncated read, an empty file, and utf8 reads (invalid UTF-8 and a
    // non-ASCII name) of the same bytes.
    const std::string text = "h\xC3\xA9llo \xFF\xFE wor\xE2\x9C\x93ld";
    const std::string name = "caf\xC3\xA9.txt";
    expectWritten(write(R"({"path":"empty","content":""})"), "empty", 0);
    expectWritten(write("{\"path\":\"" + name + "\",\"content\":\"" + sockt::base64Encode(text) +
                        "\",\"encoding\":\"base64\"}"),
                  name, text.size());
    const std::string max_bytes[] = {"", "1", "2", "3", "4", "5", "1000"};
    for (const auto& encoding : {"base64", "utf8"}) {
        for (const auto& mb : max_bytes) {
            for (const auto& file : {std::string("empty"), name}) {
                SCOPED_TRACE(file + " " + encoding + " max_bytes " + mb);
                std::string body = "{\"path\":\"" + file + "\",\"encoding\":\"" + encoding + "\"";
                if (!mb.empty())
                    body += ",\"max_bytes\":" + mb;
                body += "}";
                auto r = rawPost("read", body, key());
                ASSERT_EQ(r.status, 200) << r.body;
                const auto j = OrderedJson::parse(r.body);
                EXPECT_EQ(j.dump(), r.body);
                const std::size_t size = file == "empty" ? 0 : text.size();
                const std::size_t limit =
                    mb.empty() ? size : std::min<std::size_t>(size, std::stoul(mb));
                EXPECT_EQ(j["size_bytes"], size);
                EXPECT_EQ(j["truncated"], limit < size);
                if (std::string(encoding) == "base64") {
                    EXPECT_EQ(j["content"], sockt::base64Encode(text.substr(0, limit)));
                    EXPECT_EQ(j["content_b64"], j["content"]);
                } else {
                    EXPECT_FALSE(j.contains("content_b64"));
                    EXPECT_TRUE(j["content"].is_string());
                }
            }
        }
    }
    // utf8: invalid bytes become U+FFFD, valid ones stay, the name is echoed as UTF-8.
    auto r = rawPost("read", "{\"path\":\"" + name + "\"}", key());
    const auto j = OrderedJson::parse(r.body);
    EXPECT_EQ(j.dump(), r.body);
    EXPECT_EQ(j["path"], "/home/sandbox/" + name);
    EXPECT_EQ(j["content"], "h\xC3\xA9llo \xEF\xBF\xBD\xEF\xBF\xBD wor\xE2\x9C\x93ld");
}

} // namespace
} // namespace sockt::testing
