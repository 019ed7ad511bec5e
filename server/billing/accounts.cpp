#include "billing/accounts.hpp"

#include <algorithm>

namespace sockt::server {

std::optional<std::size_t> Accounts::indexOf(const std::string& key) const {
    auto it = std::find(order_.begin(), order_.end(), key);
    if (it == order_.end())
        return std::nullopt;
    return static_cast<std::size_t>(it - order_.begin());
}

bool Accounts::has(const std::string& key) const {
    return indexOf(key).has_value();
}

void Accounts::add(const std::string& key, std::int64_t balance_subcents) {
    if (auto i = indexOf(key)) {
        balances_[*i] = balance_subcents;
        return;
    }
    order_.push_back(key);
    balances_.push_back(balance_subcents);
}

std::int64_t Accounts::balance(const std::string& key) const {
    auto i = indexOf(key);
    return i ? balances_[*i] : 0;
}

void Accounts::setBalance(const std::string& key, std::int64_t balance_subcents) {
    if (auto i = indexOf(key))
        balances_[*i] = balance_subcents;
}

OJson Accounts::toJson() const {
    OJson arr = OJson::array();
    for (std::size_t i = 0; i < order_.size(); ++i)
        arr.push_back(OJson{{"key", order_[i]}, {"balance_subcents", balances_[i]}});
    return arr;
}

void Accounts::loadJson(const OJson& j) {
    order_.clear();
    balances_.clear();
    for (const auto& e : j)
        add(e.at("key").get<std::string>(), e.at("balance_subcents").get<std::int64_t>());
}

} // namespace sockt::server
