// A simulated Lightning invoice (docs/protocol.md §7.1, paid through §11.3).
#pragma once

#include "common/api_error.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace sockt::server {

struct Invoice {
    std::string payment_hash;
    std::string bolt11;
    std::string sandbox_id;
    std::int64_t amount_msats = 0;
    std::int64_t expires_ms = 0;
    std::optional<std::int64_t> paid_ms;
    bool initial = false; // paying it starts the sandbox; a top-up only adds balance

    bool paid() const { return paid_ms.has_value(); }
    bool outstanding(std::int64_t now_ms) const { return !paid() && now_ms < expires_ms; }
    /// `{bolt11, payment_hash, amount_msats, expires_at}` as status and polls show it.
    OJson pendingJson() const;
    OJson toJson() const;
    static Invoice fromJson(const OJson& j);
};

} // namespace sockt::server
