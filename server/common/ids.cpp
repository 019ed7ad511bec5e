#include "common/ids.hpp"

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <algorithm>
#include <cerrno>
#include <sys/random.h>
#include <system_error>

namespace sockt::server {

void randomBytes(void* out, std::size_t n) {
    // getrandom(2) straight from the kernel's CSPRNG. Constructing a std::random_device per call
    // (as this did) probes the CPU with CPUID each time, which traps to the hypervisor in a VM:
    // 15 % of the server's CPU per status request before this changed (bench/FINDINGS.md S7).
    auto* p = static_cast<unsigned char*>(out);
    while (n > 0) {
        const ssize_t got = ::getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            throw std::system_error(errno, std::generic_category(), "getrandom");
        }
        p += got;
        n -= static_cast<std::size_t>(got);
    }
}

std::string randomHex(std::size_t n) {
    static const char* kHex = "0123456789abcdef";
    unsigned char bytes[64];
    std::string out;
    out.reserve(n);
    while (out.size() < n) {
        const std::size_t take = std::min(sizeof bytes, (n - out.size() + 1) / 2);
        randomBytes(bytes, take);
        for (std::size_t i = 0; i < take && out.size() < n; ++i) {
            out.push_back(kHex[bytes[i] >> 4]);
            if (out.size() < n)
                out.push_back(kHex[bytes[i] & 0xF]);
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

} // namespace sockt::server
