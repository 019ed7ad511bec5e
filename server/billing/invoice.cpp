#include "billing/invoice.hpp"

#include "common/clock.hpp"

namespace sockt::server {

OJson Invoice::pendingJson() const {
    OJson j;
    j["bolt11"] = bolt11;
    j["payment_hash"] = payment_hash;
    j["amount_msats"] = amount_msats;
    j["expires_at"] = rfc3339(expires_ms);
    return j;
}

OJson Invoice::toJson() const {
    OJson j;
    j["payment_hash"] = payment_hash;
    j["bolt11"] = bolt11;
    j["sandbox_id"] = sandbox_id;
    j["amount_msats"] = amount_msats;
    j["expires_ms"] = expires_ms;
    j["paid_ms"] = paid_ms ? OJson(*paid_ms) : OJson(nullptr);
    j["initial"] = initial;
    return j;
}

Invoice Invoice::fromJson(const OJson& j) {
    Invoice inv;
    inv.payment_hash = j.at("payment_hash").get<std::string>();
    inv.bolt11 = j.at("bolt11").get<std::string>();
    inv.sandbox_id = j.at("sandbox_id").get<std::string>();
    inv.amount_msats = j.at("amount_msats").get<std::int64_t>();
    inv.expires_ms = j.at("expires_ms").get<std::int64_t>();
    if (j.contains("paid_ms") && !j["paid_ms"].is_null())
        inv.paid_ms = j["paid_ms"].get<std::int64_t>();
    inv.initial = j.value("initial", false);
    return inv;
}

} // namespace sockt::server
