#include "manager/sandbox_record.hpp"

namespace sockt::server {
namespace {

template <class T> OJson optional(const std::optional<T>& v) {
    return v ? OJson(*v) : OJson(nullptr);
}

template <class T> std::optional<T> readOptional(const OJson& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return std::nullopt;
    return it->get<T>();
}

} // namespace

OJson SandboxRecord::toJson() const {
    OJson j;
    j["id"] = id;
    j["status"] = status;
    j["status_reason"] = optional(status_reason);
    j["tier"] = tier;
    j["lightning"] = lightning;
    j["label"] = optional(label);
    j["sandbox_token"] = optional(sandbox_token);
    j["owner_keys"] = owner_keys;
    j["created_ms"] = created_ms;
    j["terminated_ms"] = optional(terminated_ms);
    j["boot_at_ms"] = boot_at_ms;
    j["topup_amount_msats"] = topup_amount_msats;
    j["balance_msats"] = balance_msats;
    j["consumed_msats"] = consumed_msats;
    j["last_warning"] = last_warning;
    j["billing_key"] = billing_key;
    j["reserve_subcents"] = optional(reserve_subcents);
    j["consumed_subcents"] = consumed_subcents;
    j["initial_prepaid_subcents"] = initial_prepaid_subcents;
    j["meter_carry"] = meter_carry;
    return j;
}

SandboxRecord SandboxRecord::fromJson(const OJson& j) {
    SandboxRecord r;
    r.id = j.at("id").get<std::string>();
    r.status = j.at("status").get<std::string>();
    r.status_reason = readOptional<std::string>(j, "status_reason");
    r.tier = j.at("tier").get<std::string>();
    r.lightning = j.value("lightning", false);
    r.label = readOptional<std::string>(j, "label");
    r.sandbox_token = readOptional<std::string>(j, "sandbox_token");
    r.owner_keys = j.value("owner_keys", std::vector<std::string>{});
    r.created_ms = j.value("created_ms", std::int64_t{0});
    r.terminated_ms = readOptional<std::int64_t>(j, "terminated_ms");
    r.boot_at_ms = j.value("boot_at_ms", std::int64_t{0});
    r.topup_amount_msats = j.value("topup_amount_msats", std::int64_t{0});
    r.balance_msats = j.value("balance_msats", std::int64_t{0});
    r.consumed_msats = j.value("consumed_msats", std::int64_t{0});
    r.last_warning = j.value("last_warning", std::string{});
    r.billing_key = j.value("billing_key", std::string{});
    r.reserve_subcents = readOptional<std::int64_t>(j, "reserve_subcents");
    r.consumed_subcents = j.value("consumed_subcents", std::int64_t{0});
    r.initial_prepaid_subcents = j.value("initial_prepaid_subcents", std::int64_t{0});
    r.meter_carry = j.value("meter_carry", std::int64_t{0});
    return r;
}

} // namespace sockt::server
