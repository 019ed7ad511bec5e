#include "billing/bolt11.hpp"

#include "common/ids.hpp"

namespace sockt::server {

std::string bolt11Amount(std::int64_t sats) {
    if (sats % 100000 == 0)
        return std::to_string(sats / 100000) + "m";
    if (sats % 100 == 0)
        return std::to_string(sats / 100) + "u";
    return std::to_string(sats * 10) + "n";
}

std::string makeBolt11(std::int64_t sats) {
    static const char* kBech32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    unsigned char bytes[58];
    randomBytes(bytes, sizeof bytes);
    std::string tail;
    tail.reserve(sizeof bytes);
    for (unsigned char b : bytes)
        tail.push_back(kBech32[b % 32]);
    return "lnbc" + bolt11Amount(sats) + "1" + tail;
}

std::string makePaymentHash() {
    return randomHex(64);
}

} // namespace sockt::server
