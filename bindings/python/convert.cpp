#include "convert.hpp"

#include <pybind11/stl.h>

namespace sockt::python {

namespace {

template <class T> py::object opt(const std::optional<T>& v) {
    if (!v)
        return py::none();
    return py::cast(*v);
}

} // namespace

py::object jsonToPy(const Json& j) {
    switch (j.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
        return py::none();
    case Json::value_t::boolean:
        return py::bool_(j.get<bool>());
    case Json::value_t::number_integer:
        return py::int_(j.get<std::int64_t>());
    case Json::value_t::number_unsigned:
        return py::int_(j.get<std::uint64_t>());
    case Json::value_t::number_float:
        return py::float_(j.get<double>());
    case Json::value_t::string:
        return py::str(j.get_ref<const std::string&>());
    case Json::value_t::binary: {
        const auto& b = j.get_binary();
        return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
    }
    case Json::value_t::array: {
        py::list out;
        for (const auto& item : j)
            out.append(jsonToPy(item));
        return std::move(out);
    }
    case Json::value_t::object: {
        py::dict out;
        for (auto it = j.begin(); it != j.end(); ++it)
            out[py::str(it.key())] = jsonToPy(it.value());
        return std::move(out);
    }
    }
    return py::none();
}

py::dict toPy(const Tier& t) {
    py::dict d;
    d["name"] = t.name;
    d["msats_per_second"] = t.msats_per_second;
    d["sats_per_second"] = t.sats_per_second;
    d["usd_cents_per_second"] = t.usd_cents_per_second;
    d["cost_per_minute_sats"] = t.cost_per_minute_sats;
    d["cost_per_hour_sats"] = t.cost_per_hour_sats;
    d["cost_per_day_sats"] = t.cost_per_day_sats;
    d["cost_per_hour_usd"] = t.cost_per_hour_usd;
    return d;
}

py::dict toPy(const PendingInvoice& p) {
    py::dict d;
    d["bolt11"] = p.bolt11;
    d["payment_hash"] = p.payment_hash;
    d["amount_msats"] = p.amount_msats;
    d["expires_at"] = opt(p.expires_at);
    return d;
}

py::object toPy(const std::optional<PendingInvoice>& p) {
    if (!p)
        return py::none();
    return toPy(*p);
}

py::dict toPy(const SandboxStatus& s) {
    py::dict d;
    d["sandbox_id"] = s.sandbox_id;
    d["status"] = s.status;
    d["tier"] = s.tier;
    d["runtime"] = s.runtime;
    d["billing_method"] = s.billing_method;
    d["template"] = s.template_name;
    d["consumed_msats"] = s.consumed_msats;
    d["msats_per_second"] = opt(s.msats_per_second);
    d["sats_per_second"] = opt(s.sats_per_second);
    d["prepaid_balance_msats"] = opt(s.prepaid_balance_msats);
    d["seconds_remaining"] = opt(s.seconds_remaining);
    d["warning_level"] = opt(s.warning_level);
    d["next_poll_secs"] = opt(s.next_poll_secs);
    d["pending_invoice"] = toPy(s.pending_invoice);
    d["sandbox_token"] = opt(s.sandbox_token);
    d["raw"] = jsonToPy(s.raw);
    d["label"] = opt(s.label);
    d["status_reason"] = opt(s.status_reason);
    d["created_at"] = opt(s.created_at);
    d["terminated_at"] = opt(s.terminated_at);
    d["metrics_stale"] = s.metrics_stale;
    d["runtime_consumed_total"] = opt(s.runtime_consumed_total);
    d["invoice"] = opt(s.invoice);
    d["usd_cents_per_second"] = opt(s.usd_cents_per_second);
    d["consumed_subcents"] = opt(s.consumed_subcents);
    d["prepaid_balance_subcents"] = opt(s.prepaid_balance_subcents);
    return d;
}

py::dict toPy(const CreatedSandbox& c) {
    py::dict d;
    d["sandbox_id"] = c.sandbox_id;
    d["status"] = c.status;
    d["tier"] = c.tier;
    d["billing_method"] = c.billing_method;
    d["label"] = opt(c.label);
    d["sandbox_token"] = opt(c.sandbox_token);
    d["invoice"] = opt(c.invoice);
    d["payment_hash"] = opt(c.payment_hash);
    d["amount_msats"] = opt(c.amount_msats);
    d["amount_sats"] = opt(c.amount_sats);
    d["msats_per_second"] = opt(c.msats_per_second);
    d["prepaid_seconds"] = opt(c.prepaid_seconds);
    d["expires_at"] = opt(c.expires_at);
    d["pending_invoice"] = toPy(c.pending_invoice);
    d["prepaid_balance_subcents"] = opt(c.prepaid_balance_subcents);
    d["created_at"] = opt(c.created_at);
    d["raw"] = jsonToPy(c.raw);
    return d;
}

py::dict toPy(const Execution& e) {
    py::dict d;
    d["execution_id"] = e.execution_id;
    d["status"] = e.status;
    d["sandbox_id"] = e.sandbox_id;
    d["command"] = e.command;
    d["working_dir"] = opt(e.working_dir);
    d["timeout_ms"] = opt(e.timeout_ms);
    d["started_at"] = opt(e.started_at);
    d["raw"] = jsonToPy(e.raw);
    return d;
}

py::dict toPy(const ExecResult& r) {
    py::dict d;
    d["execution_id"] = r.execution_id;
    d["status"] = r.status;
    py::list output;
    for (const auto& c : r.output) {
        py::dict chunk;
        chunk["stream"] = c.stream;
        chunk["chunk"] = c.chunk;
        output.append(std::move(chunk));
    }
    d["output"] = std::move(output);
    d["exit_code"] = opt(r.exit_code);
    d["error"] = opt(r.error);
    d["pending_invoice"] = toPy(r.pending_invoice);
    d["sandbox_id"] = opt(r.sandbox_id);
    d["started_at"] = opt(r.started_at);
    d["finished_at"] = opt(r.finished_at);
    d["raw"] = jsonToPy(r.raw);
    return d;
}

py::dict toPy(const FileEntry& e) {
    py::dict d;
    d["name"] = e.name;
    d["size"] = e.size;
    d["mod_ts"] = e.mod_ts;
    d["is_dir"] = e.is_dir;
    d["is_file"] = e.is_file;
    d["is_symlink"] = e.is_symlink;
    return d;
}

py::dict toPy(const ReadResult& r) {
    py::dict d;
    d["path"] = r.path;
    d["size_bytes"] = r.size_bytes;
    d["encoding"] = r.encoding;
    d["truncated"] = r.truncated;
    d["content"] = r.content;
    d["raw"] = jsonToPy(r.raw);
    return d;
}

py::dict toPy(const ShellFrame& f) {
    // The documented frame is the JSON object itself ({"type", "data", ...extras}).
    py::dict d;
    if (f.raw.is_object())
        d = jsonToPy(f.raw).cast<py::dict>();
    d["type"] = f.type;
    d["data"] = f.data;
    if (f.code)
        d["code"] = *f.code;
    return d;
}

py::dict toPy(const BillingEvent& e) {
    py::dict d;
    d["name"] = e.name;
    d["invoice"] = toPy(e.invoice);
    d["data"] = jsonToPy(e.data);
    return d;
}

} // namespace sockt::python
