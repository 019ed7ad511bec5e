// API keys and their credit balances (docs/protocol.md §7.2, §11.1). Not thread-safe: the sandbox
// manager guards it with its state mutex.
#pragma once

#include "common/api_error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sockt::server {

class Accounts {
public:
    bool has(const std::string& key) const;
    /// Adds the key (first-seen order is kept: the first key is the one printed at startup).
    void add(const std::string& key, std::int64_t balance_subcents);
    std::int64_t balance(const std::string& key) const; // 0 for unknown keys
    void setBalance(const std::string& key, std::int64_t balance_subcents);
    const std::vector<std::string>& keys() const { return order_; }

    OJson toJson() const;
    void loadJson(const OJson& j);

private:
    std::vector<std::string> order_;
    std::vector<std::int64_t> balances_;
    std::optional<std::size_t> indexOf(const std::string& key) const;
};

} // namespace sockt::server
