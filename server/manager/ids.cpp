#include "manager/ids.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <chrono>
#include <ctime>
#include <random>

namespace sockt::server {

std::string randomHex(std::size_t n) {
    static const char* kHex = "0123456789abcdef";
    // std::random_device reads getrandom(2) on Linux; one per call keeps this thread-safe.
    std::random_device rd;
    std::string out;
    out.reserve(n);
    while (out.size() < n) {
        unsigned int v = rd();
        for (int i = 0; i < 8 && out.size() < n; ++i) {
            out.push_back(kHex[v & 0xF]);
            v >>= 4;
        }
    }
    return out;
}

std::string uuid4() {
    std::string h = randomHex(32);
    h[12] = '4';
    static const char* kVariant = "89ab";
    h[16] = kVariant[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20, 12);
}

std::string userIdForKey(const std::string& api_key) {
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(api_key);
    return "usr_" + Poco::DigestEngine::digestToHex(sha.digest()).substr(0, 12);
}

std::int64_t nowMs() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string rfc3339(std::int64_t epoch_ms) {
    std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace sockt::server
