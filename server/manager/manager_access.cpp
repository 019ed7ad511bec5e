// SandboxManager: who may act on what (docs/protocol.md §1.3, §3.4 step 4) and the single-use
// shell tickets of §2.13.
#include "manager/sandbox_manager.hpp"

#include "common/clock.hpp"
#include "common/ids.hpp"

#include <algorithm>

namespace sockt::server {

// §1.3 step 4: at least one presented credential is a key or token this server knows (401).
void SandboxManager::requireKnownCredentialLocked(
    const std::vector<std::string>& credentials) const {
    for (const auto& c : credentials)
        if (accounts_.has(c) || token_index_.count(c))
            return;
    throw ApiError("unauthorized", "missing or unknown credential",
                   "send Authorization: Bearer <API key or sandbox token>");
}

bool SandboxManager::isApiKey(const std::string& credential) const {
    std::lock_guard<std::mutex> lock(mu_);
    return accounts_.has(credential);
}

std::string SandboxManager::firstApiKey(const std::vector<std::string>& credentials) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& c : credentials)
        if (accounts_.has(c))
            return c;
    return {};
}

std::string SandboxManager::authorizeSandbox(const std::vector<std::string>& credentials,
                                             const std::string& sandbox_id) const {
    std::lock_guard<std::mutex> lock(mu_);
    requireKnownCredentialLocked(credentials);
    auto it = records_.find(sandbox_id);
    if (it == records_.end())
        throw ApiError("not_found", "sandbox " + sandbox_id + " not found");
    const auto& rec = it->second;
    for (const auto& c : credentials) {
        if (rec.sandbox_token && c == *rec.sandbox_token)
            return c;
        if (std::find(rec.owner_keys.begin(), rec.owner_keys.end(), c) != rec.owner_keys.end())
            return c;
    }
    throw ApiError("forbidden", "credential has no access to sandbox " + sandbox_id,
                   "use the API key that created the sandbox or its sandbox token");
}

std::pair<std::string, std::string>
SandboxManager::authorizeExecution(const std::vector<std::string>& credentials,
                                   const std::string& execution_id) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        requireKnownCredentialLocked(credentials);
    }
    auto sandbox = executions_->sandboxOf(execution_id);
    if (!sandbox)
        throw ApiError("not_found", "execution " + execution_id + " not found");
    try {
        return {*sandbox, authorizeSandbox(credentials, *sandbox)};
    } catch (const ApiError& e) {
        if (e.code() != "forbidden" && e.code() != "not_found")
            throw;
        throw ApiError("forbidden", "execution belongs to another caller",
                       "Ensure your request Authorization header matches the credential used to "
                       "start this execution");
    }
}

// --- shell tickets ---

std::pair<std::string, std::int64_t> SandboxManager::issueTicket(const std::string& sandbox_id) {
    std::lock_guard<std::mutex> lock(mu_);
    const auto now = nowMs();
    for (auto it = tickets_.begin(); it != tickets_.end();)
        it = it->second.second <= now ? tickets_.erase(it) : std::next(it);
    std::string ticket = "tkt_" + randomHex(32);
    const auto expires =
        now + std::chrono::duration_cast<std::chrono::milliseconds>(protocol::kShellTicketLifetime)
                  .count();
    tickets_[ticket] = {sandbox_id, expires};
    return {ticket, expires};
}

bool SandboxManager::consumeTicket(const std::string& ticket, const std::string& sandbox_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tickets_.find(ticket);
    if (it == tickets_.end())
        return false;
    const bool ok = it->second.first == sandbox_id && it->second.second > nowMs();
    if (ok)
        tickets_.erase(it); // single use (§2.13); a ticket for another sandbox stays valid
    return ok;
}

} // namespace sockt::server
