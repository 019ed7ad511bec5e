// Lenient parsing of every response model (docs/protocol.md §2, §12 rules 1-4).
#include "sockt/models.hpp"

#include "sockt/errors.hpp"
#include "sockt/protocol.hpp"

#include "json/lenient.hpp"
#include <limits>

namespace sockt {

using json::getString;
using json::optBool;
using json::optDouble;
using json::optInt;
using json::optString;

namespace {

/// Sats as msats; an amount whose msats do not fit in 64 bits is no amount (not an overflow).
std::optional<std::int64_t> msatsOf(std::optional<std::int64_t> sats) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 1000;
    if (!sats || *sats > kMax || *sats < -kMax)
        return std::nullopt;
    return *sats * 1000;
}

} // namespace

Tier Tier::fromJson(const Json& j) {
    const json::Object o(j);
    Tier t;
    // §12 rule 4: `name` when non-empty, else `tier`.
    t.name = getString(o, "name");
    if (t.name.empty())
        t.name = getString(o, "tier");
    t.msats_per_second = optInt(o, "msats_per_second").value_or(0);
    t.sats_per_second = optDouble(o, "sats_per_second").value_or(0);
    t.usd_cents_per_second = optDouble(o, "usd_cents_per_second").value_or(0);
    t.cost_per_minute_sats = optDouble(o, "cost_per_minute_sats").value_or(0);
    t.cost_per_hour_sats = optDouble(o, "cost_per_hour_sats").value_or(0);
    t.cost_per_day_sats = optDouble(o, "cost_per_day_sats").value_or(0);
    t.cost_per_hour_usd = optDouble(o, "cost_per_hour_usd").value_or(0);
    t.raw = j;
    return t;
}

PendingInvoice PendingInvoice::fromJson(const Json& j) {
    const json::Object o(j);
    PendingInvoice p;
    p.bolt11 = getString(o, "bolt11");
    if (p.bolt11.empty())
        p.bolt11 = getString(o, "invoice");
    p.payment_hash = getString(o, "payment_hash");
    p.amount_msats = optInt(o, "amount_msats").value_or(0);
    if (p.amount_msats == 0)
        p.amount_msats = msatsOf(optInt(o, "amount_sats")).value_or(0);
    p.expires_at = optString(o, "expires_at");
    p.raw = j;
    return p;
}

std::optional<PendingInvoice> PendingInvoice::fromJsonOpt(const Json& j) {
    if (!j.is_object())
        return std::nullopt;
    PendingInvoice p = fromJson(j);
    if (p.bolt11.empty() && p.payment_hash.empty())
        return std::nullopt;
    return p;
}

namespace {

std::optional<PendingInvoice> invoiceIn(const json::Object& o) {
    if (const Json* pi = o.find("pending_invoice"))
        return PendingInvoice::fromJsonOpt(*pi);
    return std::nullopt;
}

} // namespace

SandboxStatus SandboxStatus::fromJson(const Json& j) {
    return fromJson(Json(j));
}

SandboxStatus SandboxStatus::fromJson(Json&& j) {
    const json::Object o(j);
    SandboxStatus s;
    if (const Json* id = o.findAny({"sandbox_id", "ID", "id"}))
        s.sandbox_id = optString(id).value_or("");
    s.status = getString(o, "status");
    s.tier = getString(o, "tier");
    s.runtime = getString(o, "runtime");
    s.billing_method = getString(o, "billing_method");
    s.template_name = getString(o, "template");
    s.label = optString(o, "label");
    s.status_reason = optString(o, "status_reason");
    s.created_at = optString(o, "created_at");
    s.terminated_at = optString(o, "terminated_at");
    s.consumed_msats = optInt(o, "consumed_msats").value_or(0);
    s.msats_per_second = optInt(o, "msats_per_second");
    s.sats_per_second = optDouble(o, "sats_per_second");
    s.prepaid_balance_msats = optInt(o, "prepaid_balance_msats");
    s.seconds_remaining = optInt(o, "seconds_remaining");
    s.warning_level = optString(o, "warning_level");
    s.next_poll_secs = optInt(o, "next_poll_secs");
    s.metrics_stale = optBool(o, "metrics_stale").value_or(false);
    s.runtime_consumed_total = optInt(o, "runtime_consumed_total");
    s.pending_invoice = invoiceIn(o);
    s.invoice = optString(o, "invoice");
    if (!s.invoice && s.pending_invoice && !s.pending_invoice->bolt11.empty())
        s.invoice = s.pending_invoice->bolt11;
    s.sandbox_token = optString(o, "sandbox_token");
    s.usd_cents_per_second = optDouble(o, "usd_cents_per_second");
    s.consumed_subcents = optInt(o, "consumed_subcents");
    s.prepaid_balance_subcents = optInt(o, "prepaid_balance_subcents");
    s.raw = std::move(j);
    return s;
}

CreatedSandbox CreatedSandbox::fromJson(const Json& j) {
    const json::Object o(j);
    CreatedSandbox c;
    if (const Json* id = o.findAny({"sandbox_id", "ID", "id"}))
        c.sandbox_id = optString(id).value_or("");
    c.status = getString(o, "status");
    c.tier = getString(o, "tier");
    c.billing_method = getString(o, "billing_method");
    c.label = optString(o, "label");
    c.sandbox_token = optString(o, "sandbox_token");
    c.invoice = optString(o, "invoice");
    c.payment_hash = optString(o, "payment_hash");
    c.amount_msats = optInt(o, "amount_msats");
    c.amount_sats = optInt(o, "amount_sats");
    c.msats_per_second = optInt(o, "msats_per_second");
    c.prepaid_seconds = optInt(o, "prepaid_seconds");
    c.expires_at = optString(o, "expires_at");
    c.pending_invoice = invoiceIn(o);
    // Older lightning answers carry the invoice only as top-level fields.
    if (!c.pending_invoice && c.invoice && !c.invoice->empty()) {
        PendingInvoice p;
        p.bolt11 = *c.invoice;
        p.payment_hash = c.payment_hash.value_or("");
        p.amount_msats = c.amount_msats.value_or(msatsOf(c.amount_sats).value_or(0));
        p.expires_at = c.expires_at;
        p.raw = Json::object();
        c.pending_invoice = std::move(p);
    }
    c.prepaid_balance_subcents = optInt(o, "prepaid_balance_subcents");
    c.created_at = optString(o, "created_at");
    c.raw = j;
    return c;
}

Execution Execution::fromJson(const Json& j) {
    const json::Object o(j);
    Execution e;
    e.execution_id = getString(o, "execution_id");
    if (e.execution_id.empty())
        e.execution_id = getString(o, "id");
    e.status = getString(o, "status");
    e.sandbox_id = getString(o, "sandbox_id");
    e.command = getString(o, "command");
    e.working_dir = optString(o, "working_dir");
    e.timeout_ms = optInt(o, "timeout_ms");
    e.started_at = optString(o, "started_at");
    e.raw = j;
    return e;
}

std::string ExecResult::stdoutText() const {
    std::string out;
    for (const auto& c : output)
        if (c.stream == "stdout")
            out += c.chunk;
    return out;
}

std::string ExecResult::stderrText() const {
    std::string out;
    for (const auto& c : output)
        if (c.stream != "stdout")
            out += c.chunk;
    return out;
}

bool ExecResult::finished() const {
    return protocol::isTerminalExecutionStatus(status);
}

ExecResult ExecResult::fromJson(const Json& j) {
    return fromJson(Json(j));
}

ExecResult ExecResult::fromJson(Json&& j) {
    const json::Object o(j);
    ExecResult r;
    r.execution_id = getString(o, "execution_id");
    r.status = getString(o, "status");
    if (const Json* out = o.find("output"); out && out->is_array()) {
        r.output.reserve(out->size());
        for (const auto& item : *out) {
            if (item.is_object()) {
                OutputChunk c;
                c.stream = getString(item, "stream");
                if (c.stream.empty())
                    c.stream = "stdout";
                c.chunk = getString(item, "chunk");
                if (c.chunk.empty())
                    c.chunk = getString(item, "data");
                r.output.push_back(std::move(c));
            } else if (item.is_string()) {
                r.output.push_back({"stdout", item.get<std::string>()});
            }
        }
    }
    if (auto code = optInt(o, "exit_code"))
        r.exit_code = static_cast<int>(*code);
    r.error = optString(o, "error");
    r.pending_invoice = invoiceIn(o);
    r.sandbox_id = optString(o, "sandbox_id");
    r.started_at = optString(o, "started_at");
    r.finished_at = optString(o, "finished_at");
    r.raw = std::move(j);
    return r;
}

// docs/faults.md: wrong JSON types in a poll answer are an error, not a result with blanks.
void ExecResult::checkPollAnswer(const Json& j, const std::string& execution_id) {
    std::string wrong;
    auto member = [&](const char* key) -> const Json* {
        auto it = j.find(key);
        return it == j.end() || it->is_null() ? nullptr : &*it;
    };
    if (!j.is_object())
        wrong = "it is not a JSON object";
    else if (const Json* status = member("status");
             !status || !status->is_string() || status->get_ref<const std::string&>().empty())
        wrong = "`status` is not a non-empty string";
    else if (const Json* output = member("output"); output && !output->is_array())
        wrong = "`output` is not an array";
    else if (const Json* code = member("exit_code"); code && !code->is_number())
        wrong = "`exit_code` is not a number";
    else if (const Json* error = member("error"); error && !error->is_string())
        wrong = "`error` is not a string";
    if (wrong.empty())
        return;
    SocktError::Details d;
    d.message = "malformed poll answer for execution " + execution_id + ": " + wrong;
    d.status_code = 200;
    d.body = j.dump().substr(0, 2000);
    throw APIError(std::move(d));
}

FileEntry FileEntry::fromJson(const Json& j) {
    const json::Object o(j);
    FileEntry e;
    e.name = getString(o, "name");
    e.size = optInt(o, "size").value_or(optInt(o, "size_bytes").value_or(0));
    e.mod_ts = optInt(o, "mod_ts").value_or(0);
    e.is_dir = optBool(o, "is_dir").value_or(false);
    e.is_symlink = optBool(o, "is_symlink").value_or(false);
    // Servers that omit is_file describe regular files by exclusion.
    e.is_file = optBool(o, "is_file").value_or(!e.is_dir && !e.is_symlink);
    e.raw = j;
    return e;
}

FileListing FileListing::fromJson(const Json& j) {
    const json::Object o(j);
    FileListing l;
    const Json* entries = o.find("entries");
    if (!entries)
        entries = o.find("files");
    if (entries && entries->is_array()) {
        l.entries.reserve(entries->size());
        for (const auto& e : *entries)
            if (e.is_object())
                l.entries.push_back(FileEntry::fromJson(e));
    }
    l.total_entries =
        optInt(o, "total_entries").value_or(static_cast<std::int64_t>(l.entries.size()));
    l.truncated = optBool(o, "truncated").value_or(false);
    l.raw = j;
    return l;
}

WriteResult WriteResult::fromJson(const Json& j) {
    const json::Object o(j);
    WriteResult w;
    w.path = getString(o, "path");
    w.bytes_written = optInt(o, "bytes_written").value_or(0);
    w.created_dirs = optBool(o, "created_dirs").value_or(false);
    w.raw = j;
    return w;
}

ReadResult ReadResult::fromJson(const Json& j) {
    const json::Object o(j);
    ReadResult r;
    r.path = getString(o, "path");
    // §12 rule 4: `size_bytes`, else `size`.
    r.size_bytes = optInt(o, "size_bytes").value_or(optInt(o, "size").value_or(0));
    r.encoding = getString(o, "encoding");
    r.truncated = optBool(o, "truncated").value_or(false);
    // Base64 reads may carry the content as `content_b64` only (docs/protocol-notes.md row 1).
    r.content = getString(o, "content");
    if (r.content.empty())
        r.content = getString(o, "content_b64");
    r.raw = j;
    return r;
}

TerminateResult TerminateResult::fromJson(const Json& j) {
    const json::Object o(j);
    TerminateResult t;
    if (const Json* id = o.findAny({"sandbox_id", "ID", "id"}))
        t.sandbox_id = optString(id).value_or("");
    t.status = getString(o, "status");
    t.consumed_msats_total = optInt(o, "consumed_msats_total").value_or(0);
    t.terminated_at = optString(o, "terminated_at");
    t.already_terminated = optBool(o, "already_terminated").value_or(false);
    auto it = j.is_object() ? j.find("refund") : j.end();
    t.refund = (j.is_object() && it != j.end()) ? *it : Json(nullptr);
    t.raw = j;
    return t;
}

ShellFrame ShellFrame::fromJson(const Json& j) {
    const json::Object o(j);
    ShellFrame f;
    f.type = getString(o, "type");
    if (j.is_object()) {
        auto it = j.find("data");
        if (it != j.end())
            f.data = it->is_string() ? it->get<std::string>() : it->dump();
    }
    if (auto code = optInt(o, "code"))
        f.code = static_cast<int>(*code);
    f.raw = j;
    return f;
}

} // namespace sockt
