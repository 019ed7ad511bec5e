#include "api/api.hpp"

#include "api/params.hpp"
#include "billing/money.hpp"
#include "common/clock.hpp"
#include "files/file_ops.hpp"
#include "manager/sandbox_manager.hpp"

#include <Poco/String.h>

namespace sockt::server {
namespace {

std::string tierNames() {
    std::string out;
    for (const auto& t : protocol::kTiers)
        out += (out.empty() ? "" : ", ") + std::string(t.name);
    return out;
}

void checkEncoding(const OJson& body) {
    auto enc = optString(body, "encoding");
    if (!enc)
        return;
    const auto lower = Poco::toLower(*enc);
    if (lower != "utf8" && lower != "utf-8" && lower != "base64")
        invalidParams("unknown encoding '" + *enc + "' (use utf8 or base64)");
}

bool validAddress(const std::string& a) {
    const auto at = a.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= a.size())
        return false;
    if (a.find('@', at + 1) != std::string::npos)
        return false;
    for (unsigned char c : a)
        if (c <= ' ' || c == 0x7f)
            return false;
    return true;
}

} // namespace

OJson Api::tiers() {
    OJson tiers = OJson::array();
    for (const auto& t : protocol::kTiers) {
        OJson j;
        j["tier"] = t.name;
        j["name"] = t.name;
        j["msats_per_second"] = t.msats_per_second;
        j["sats_per_second"] = t.sats_per_second;
        j["usd_cents_per_second"] = t.usd_cents_per_second;
        j["cost_per_minute_sats"] = t.cost_per_minute_sats;
        j["cost_per_hour_sats"] = t.cost_per_hour_sats;
        j["cost_per_day_sats"] = t.cost_per_day_sats;
        j["cost_per_hour_usd"] = t.cost_per_hour_usd;
        tiers.push_back(std::move(j));
    }
    OJson out;
    out["note"] = protocol::kTiersNote;
    out["tiers"] = std::move(tiers);
    return out;
}

OJson Api::createSandbox(const ApiCall& call) {
    const auto& b = call.body;
    CreateRequest req;
    const auto billing = optString(b, "billing_method").value_or("credits");
    if (billing != "credits" && billing != "lightning")
        invalidParams("billing_method must be \"credits\" or \"lightning\"");
    req.lightning = billing == "lightning";
    // Step 4 of §3.4 comes before field validation; which auth applies depends on billing.
    if (req.lightning) {
        if (!call.header_credential.empty() && manager_.isApiKey(call.header_credential))
            req.api_key = call.header_credential;
    } else {
        req.api_key = manager_.firstApiKey(call.credentials);
        if (req.api_key.empty())
            throw ApiError("unauthorized", "credits sandboxes require a valid API key",
                           "send Authorization: Bearer <API key>");
    }
    req.tier = optString(b, "tier").value_or("nano");
    if (!protocol::findTier(req.tier))
        invalidParams("unknown tier '" + req.tier + "' (one of: " + tierNames() + ")");
    if (req.lightning) {
        req.prepaid_sats = optInt(b, "prepaid_sats").value_or(protocol::kDefaultPrepaidSats);
        if (req.prepaid_sats < 1 || req.prepaid_sats > protocol::kMaxPrepaidSats)
            invalidParams("prepaid_sats must be between 1 and 10000000");
    } else {
        req.initial_credits_cents = optInt(b, "initial_credits_cents");
        if (req.initial_credits_cents && *req.initial_credits_cents < 0)
            invalidParams("initial_credits_cents must be >= 0");
        if (req.initial_credits_cents && *req.initial_credits_cents > kMaxCents)
            invalidParams("initial_credits_cents must be at most " + std::to_string(kMaxCents));
    }
    req.label = optString(b, "label");
    if (req.label && codePoints(*req.label) > static_cast<std::size_t>(protocol::kMaxLabelLength))
        invalidParams("label must be at most 128 characters");
    return manager_.create(req);
}

OJson Api::getSandbox(const ApiCall& call, const std::string& id) {
    manager_.authorizeSandbox(call.credentials, id);
    return manager_.status(id);
}

OJson Api::pauseSandbox(const ApiCall& call, const std::string& id) {
    manager_.authorizeSandbox(call.credentials, id);
    return manager_.pause(id);
}

OJson Api::resumeSandbox(const ApiCall& call, const std::string& id) {
    manager_.authorizeSandbox(call.credentials, id);
    return manager_.resume(id);
}

OJson Api::terminateSandbox(const ApiCall& call, const std::string& id) {
    manager_.authorizeSandbox(call.credentials, id);
    auto address = optString(call.body, "lightning_address");
    if (!address && !call.queryValue("lightning_address").empty())
        address = call.queryValue("lightning_address");
    if (address && address->empty())
        address.reset();
    if (address && !validAddress(*address))
        invalidParams("lightning_address must look like name@domain");
    return manager_.terminate(id, address);
}

OJson Api::exec(const ApiCall& call, const std::string& id) {
    const auto acting = manager_.authorizeSandbox(call.credentials, id);
    const auto command = requireString(call.body, "command");
    if (command.empty())
        invalidParams("command must not be empty");
    const auto working_dir = optString(call.body, "working_dir").value_or("");
    const auto timeout = optInt(call.body, "timeout_ms").value_or(protocol::kDefaultExecTimeoutMs);
    if (timeout < 0 || timeout > protocol::kMaxExecTimeoutMs)
        invalidParams("timeout_ms must be between 0 and 86400000");
    if (!working_dir.empty())
        checkPathLexically(working_dir, false);
    auto lease = manager_.acquire(id);
    return manager_.executions().start(lease.runtime, id, command, working_dir, timeout, acting);
}

OJson Api::pollExecution(const ApiCall& call, const std::string& execution_id) {
    const auto [sandbox_id, acting] = manager_.authorizeExecution(call.credentials, execution_id);
    const auto wait = queryInt(call.queryValue("wait_ms"), "wait_ms").value_or(0);
    if (wait < 0 || wait > protocol::kMaxLongPollWaitMs)
        invalidParams("wait_ms must be between 0 and 30000");
    const auto since = queryInt(call.queryValue("since"), "since");
    if (since && *since < 0)
        invalidParams("since must be a chunk number of 0 or more (docs/protocol.md §4.5)");
    return manager_.executions().poll(execution_id, wait, manager_.pendingInvoice(sandbox_id),
                                      since);
}

OJson Api::cancelExecution(const ApiCall& call, const std::string& execution_id) {
    manager_.authorizeExecution(call.credentials, execution_id);
    return manager_.executions().cancel(execution_id);
}

OJson Api::writeFile(const ApiCall& call, const std::string& id) {
    manager_.authorizeSandbox(call.credentials, id);
    const auto path = requireString(call.body, "path");
    if (path.empty())
        invalidParams("path must not be empty");
    if (!call.content) // else the handler took a string `content` out of the body
        requireString(call.body, "content");
    checkEncoding(call.body);
    optBool(call.body, "create_dirs");
    checkPathLexically(path, false);
    auto lease = manager_.acquire(id);
    if (call.content)
        return server::writeFile(lease.runtime->home(), call.body, std::move(*call.content));
    return server::writeFile(lease.runtime->home(), call.body);
}

OJson Api::readFile(const ApiCall& call, const std::string& id) {
    manager_.authorizeSandbox(call.credentials, id);
    const auto path = requireString(call.body, "path");
    if (path.empty())
        invalidParams("path must not be empty");
    checkEncoding(call.body);
    const auto max_bytes = optInt(call.body, "max_bytes");
    if (max_bytes && *max_bytes < 0)
        invalidParams("max_bytes must be >= 0");
    checkPathLexically(path, false);
    auto lease = manager_.acquire(id);
    // Our own clients read `content` only (docs/protocol.md §2.11); everyone else also gets the
    // official SDK's `content_b64`, which doubles a large base64 answer.
    const bool ours =
        call.user_agent.rfind("sockt-cpp/", 0) == 0 || call.user_agent.rfind("sockt-cli/", 0) == 0;
    if (call.read_answer) {
        call.read_answer->emplace(server::prepareReadFile(lease.runtime->home(), call.body, !ours));
        return nullptr;
    }
    return server::readFile(lease.runtime->home(), call.body, !ours);
}

OJson Api::listFiles(const ApiCall& call, const std::string& id) {
    manager_.authorizeSandbox(call.credentials, id);
    const auto path = call.queryValue("path");
    const auto recursive = call.queryValue("recursive");
    const auto max_depth = call.queryValue("max_depth");
    const auto r = Poco::toLower(recursive);
    if (!r.empty() && r != "true" && r != "1" && r != "false" && r != "0")
        invalidParams("recursive must be true or false");
    const auto depth = queryInt(max_depth, "max_depth");
    if (depth && *depth < 0)
        invalidParams("max_depth must be >= 0");
    if (!path.empty())
        checkPathLexically(path, true);
    auto lease = manager_.acquire(id);
    return server::listFiles(lease.runtime->home(), path, recursive, max_depth);
}

OJson Api::shellUrl(const ApiCall& call, const std::string& id) {
    manager_.authorizeSandbox(call.credentials, id);
    { auto lease = manager_.acquire(id); }
    const auto [ticket, expires] = manager_.issueTicket(id);
    OJson out;
    out["url"] = std::string(call.secure ? "wss://" : "ws://") + call.host + "/v1/sandboxes/" + id +
                 "/shell?ticket=" + ticket;
    out["expires_at"] = rfc3339(expires);
    return out;
}

OJson Api::payInvoice(const std::string& ref) {
    return manager_.payInvoice(ref);
}

OJson Api::addCredits(const ApiCall& call) {
    const auto key = requireString(call.body, "api_key");
    const auto cents = optInt(call.body, "cents");
    if (!cents)
        invalidParams("missing required field: cents");
    if (*cents < 1)
        invalidParams("cents must be >= 1");
    if (*cents > kMaxCents)
        invalidParams("cents must be at most " + std::to_string(kMaxCents));
    return manager_.addCredits(key, *cents);
}

ShellGrant Api::openShell(const ApiCall& call, const std::string& id) {
    const auto ticket = call.queryValue("ticket");
    if (ticket.empty() || !manager_.consumeTicket(ticket, id))
        manager_.authorizeSandbox(call.credentials, id);
    ShellGrant grant;
    {
        auto lease = manager_.acquire(id);
        grant.runtime = lease.runtime;
    }
    grant.billing_frame = manager_.connectBillingFrame(id);
    return grant;
}

std::string Api::authorizeSandbox(const ApiCall& call, const std::string& id) {
    return manager_.authorizeSandbox(call.credentials, id);
}

OJson Api::extendBalance(const std::string& id, const std::string& acting_key,
                         std::optional<std::int64_t> cents, std::optional<std::int64_t> sats) {
    return manager_.extendBalance(id, acting_key, cents, sats);
}

} // namespace sockt::server
