#include "convert.hpp"

#include <pybind11/stl.h>
#include <string>
#include <type_traits>
#include <unordered_map>

namespace sockt::python {

namespace {

template <class T> py::object opt(const std::optional<T>& v) {
    if (!v)
        return py::none();
    return py::cast(*v);
}

// Dict keys are made once and interned (bench/FINDINGS.md P2): a status builds the same 26 keys
// for its fields and again for `raw`, and an interned str, whose hash is cached, goes into a dict
// without an allocation, a UTF-8 decode or a hash. The caches are used with the GIL held and
// leaked on purpose: no destructor may touch Python objects after the interpreter is gone.

/// Key for a string literal; the literal's address identifies it.
py::handle literalKey(const char* name) {
    static auto* cache = new std::unordered_map<const char*, PyObject*>();
    auto it = cache->find(name);
    if (it != cache->end())
        return it->second;
    PyObject* key = PyUnicode_InternFromString(name);
    if (key == nullptr)
        throw py::error_already_set();
    cache->emplace(name, key);
    return key;
}

// Keys of JSON objects from the server; bounded so that answers with ever new keys cannot grow
// the cache without end (past the bound, keys are made per dict as before).
constexpr std::size_t kMaxCachedJsonKeys = 1024;

py::object jsonKey(const std::string& name) {
    static auto* cache = new std::unordered_map<std::string, PyObject*>();
    auto it = cache->find(name);
    if (it != cache->end())
        return py::reinterpret_borrow<py::object>(it->second);
    py::str key(name);
    if (cache->size() < kMaxCachedJsonKeys) {
        PyObject* raw = key.release().ptr();
        PyUnicode_InternInPlace(&raw);
        cache->emplace(name, raw);
        return py::reinterpret_borrow<py::object>(raw);
    }
    return std::move(key);
}

/// d[name] = value, with an interned key.
template <class T> void put(py::dict& d, const char* name, T&& value) {
    py::object v;
    if constexpr (std::is_base_of_v<py::handle, std::decay_t<T>>)
        v = std::forward<T>(value);
    else
        v = py::cast(std::forward<T>(value));
    if (PyDict_SetItem(d.ptr(), literalKey(name).ptr(), v.ptr()) != 0)
        throw py::error_already_set();
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
        for (auto it = j.begin(); it != j.end(); ++it) {
            py::object value = jsonToPy(it.value());
            if (PyDict_SetItem(out.ptr(), jsonKey(it.key()).ptr(), value.ptr()) != 0)
                throw py::error_already_set();
        }
        return std::move(out);
    }
    }
    return py::none();
}

py::object answerToPy(const std::string& text, const Json& parsed) {
    if (text.empty())
        return jsonToPy(parsed);
    static PyObject* loads = py::object(py::module_::import("json").attr("loads")).release().ptr();
    try {
        return py::reinterpret_borrow<py::object>(loads)(py::str(text));
    } catch (py::error_already_set&) {
        return jsonToPy(parsed); // not valid JSON after all (the core was lenient)
    }
}

py::dict toPy(const Tier& t) {
    py::dict d;
    put(d, "name", t.name);
    put(d, "msats_per_second", t.msats_per_second);
    put(d, "sats_per_second", t.sats_per_second);
    put(d, "usd_cents_per_second", t.usd_cents_per_second);
    put(d, "cost_per_minute_sats", t.cost_per_minute_sats);
    put(d, "cost_per_hour_sats", t.cost_per_hour_sats);
    put(d, "cost_per_day_sats", t.cost_per_day_sats);
    put(d, "cost_per_hour_usd", t.cost_per_hour_usd);
    return d;
}

py::dict toPy(const PendingInvoice& p) {
    py::dict d;
    put(d, "bolt11", p.bolt11);
    put(d, "payment_hash", p.payment_hash);
    put(d, "amount_msats", p.amount_msats);
    put(d, "expires_at", opt(p.expires_at));
    return d;
}

py::object toPy(const std::optional<PendingInvoice>& p) {
    if (!p)
        return py::none();
    return toPy(*p);
}

py::dict toPy(const SandboxStatus& s) {
    py::dict d;
    put(d, "sandbox_id", s.sandbox_id);
    put(d, "status", s.status);
    put(d, "tier", s.tier);
    put(d, "runtime", s.runtime);
    put(d, "billing_method", s.billing_method);
    put(d, "template", s.template_name);
    put(d, "consumed_msats", s.consumed_msats);
    put(d, "msats_per_second", opt(s.msats_per_second));
    put(d, "sats_per_second", opt(s.sats_per_second));
    put(d, "prepaid_balance_msats", opt(s.prepaid_balance_msats));
    put(d, "seconds_remaining", opt(s.seconds_remaining));
    put(d, "warning_level", opt(s.warning_level));
    put(d, "next_poll_secs", opt(s.next_poll_secs));
    put(d, "pending_invoice", toPy(s.pending_invoice));
    put(d, "sandbox_token", opt(s.sandbox_token));
    put(d, "raw", jsonToPy(s.raw));
    put(d, "label", opt(s.label));
    put(d, "status_reason", opt(s.status_reason));
    put(d, "created_at", opt(s.created_at));
    put(d, "terminated_at", opt(s.terminated_at));
    put(d, "metrics_stale", s.metrics_stale);
    put(d, "runtime_consumed_total", opt(s.runtime_consumed_total));
    put(d, "invoice", opt(s.invoice));
    put(d, "usd_cents_per_second", opt(s.usd_cents_per_second));
    put(d, "consumed_subcents", opt(s.consumed_subcents));
    put(d, "prepaid_balance_subcents", opt(s.prepaid_balance_subcents));
    return d;
}

py::dict toPy(const CreatedSandbox& c) {
    py::dict d;
    put(d, "sandbox_id", c.sandbox_id);
    put(d, "status", c.status);
    put(d, "tier", c.tier);
    put(d, "billing_method", c.billing_method);
    put(d, "label", opt(c.label));
    put(d, "sandbox_token", opt(c.sandbox_token));
    put(d, "invoice", opt(c.invoice));
    put(d, "payment_hash", opt(c.payment_hash));
    put(d, "amount_msats", opt(c.amount_msats));
    put(d, "amount_sats", opt(c.amount_sats));
    put(d, "msats_per_second", opt(c.msats_per_second));
    put(d, "prepaid_seconds", opt(c.prepaid_seconds));
    put(d, "expires_at", opt(c.expires_at));
    put(d, "pending_invoice", toPy(c.pending_invoice));
    put(d, "prepaid_balance_subcents", opt(c.prepaid_balance_subcents));
    put(d, "created_at", opt(c.created_at));
    put(d, "raw", jsonToPy(c.raw));
    return d;
}

py::dict toPy(const Execution& e) {
    py::dict d;
    put(d, "execution_id", e.execution_id);
    put(d, "status", e.status);
    put(d, "sandbox_id", e.sandbox_id);
    put(d, "command", e.command);
    put(d, "working_dir", opt(e.working_dir));
    put(d, "timeout_ms", opt(e.timeout_ms));
    put(d, "started_at", opt(e.started_at));
    put(d, "raw", jsonToPy(e.raw));
    return d;
}

py::dict toPy(const ExecResult& r) {
    py::dict d;
    put(d, "execution_id", r.execution_id);
    put(d, "status", r.status);
    py::list output;
    for (const auto& c : r.output) {
        py::dict chunk;
        put(chunk, "stream", c.stream);
        put(chunk, "chunk", c.chunk);
        output.append(std::move(chunk));
    }
    put(d, "output", std::move(output));
    put(d, "exit_code", opt(r.exit_code));
    put(d, "error", opt(r.error));
    put(d, "pending_invoice", toPy(r.pending_invoice));
    put(d, "sandbox_id", opt(r.sandbox_id));
    put(d, "started_at", opt(r.started_at));
    put(d, "finished_at", opt(r.finished_at));
    put(d, "raw", jsonToPy(r.raw));
    return d;
}

py::dict toPy(const FileEntry& e) {
    py::dict d;
    put(d, "name", e.name);
    put(d, "size", e.size);
    put(d, "mod_ts", e.mod_ts);
    put(d, "is_dir", e.is_dir);
    put(d, "is_file", e.is_file);
    put(d, "is_symlink", e.is_symlink);
    return d;
}

py::dict toPy(const ReadResult& r) {
    py::dict d;
    put(d, "path", r.path);
    put(d, "size_bytes", r.size_bytes);
    put(d, "encoding", r.encoding);
    put(d, "truncated", r.truncated);
    put(d, "content", r.content);
    put(d, "raw", jsonToPy(r.raw));
    return d;
}

py::dict toPy(const ShellFrame& f) {
    // The documented frame is the JSON object itself ({"type", "data", ...extras}).
    py::dict d;
    if (f.raw.is_object()) {
        py::object parsed = answerToPy(f.raw_text, f.raw);
        if (py::isinstance<py::dict>(parsed))
            d = parsed.cast<py::dict>();
    }
    put(d, "type", f.type);
    put(d, "data", f.data);
    if (f.code)
        d["code"] = *f.code;
    return d;
}

py::dict toPy(const BillingEvent& e) {
    py::dict d;
    put(d, "name", e.name);
    put(d, "invoice", toPy(e.invoice));
    put(d, "data", jsonToPy(e.data));
    return d;
}

} // namespace sockt::python
