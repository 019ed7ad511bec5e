#include "convert.hpp"

#include <cmath>

namespace sockt::node {

namespace {

Napi::Value str(Napi::Env env, const std::string& s) {
    return Napi::String::New(env, s);
}

Napi::Value num(Napi::Env env, double v) {
    return Napi::Number::New(env, v);
}

Napi::Value optStr(Napi::Env env, const std::optional<std::string>& s) {
    return s ? str(env, *s) : env.Null();
}

template <typename T> Napi::Value optNum(Napi::Env env, const std::optional<T>& v) {
    return v ? num(env, static_cast<double>(*v)) : env.Null();
}

Napi::Value nonEmptyOrNull(Napi::Env env, const std::string& s) {
    return s.empty() ? env.Null() : str(env, s);
}

} // namespace

Napi::Value toJs(Napi::Env env, const Json& json) {
    switch (json.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
        return env.Null();
    case Json::value_t::boolean:
        return Napi::Boolean::New(env, json.get<bool>());
    case Json::value_t::number_integer:
        return num(env, static_cast<double>(json.get<std::int64_t>()));
    case Json::value_t::number_unsigned:
        return num(env, static_cast<double>(json.get<std::uint64_t>()));
    case Json::value_t::number_float:
        return num(env, json.get<double>());
    case Json::value_t::string:
        return str(env, json.get_ref<const std::string&>());
    case Json::value_t::array: {
        Napi::Array arr = Napi::Array::New(env, json.size());
        uint32_t i = 0;
        for (const auto& item : json) {
            arr.Set(i++, toJs(env, item));
        }
        return arr;
    }
    case Json::value_t::object: {
        Napi::Object obj = Napi::Object::New(env);
        for (auto it = json.begin(); it != json.end(); ++it) {
            obj.Set(it.key(), toJs(env, it.value()));
        }
        return obj;
    }
    case Json::value_t::binary:
        return env.Null();
    }
    return env.Null();
}

Napi::Value toJs(Napi::Env env, const Tier& t) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", t.name);
    o.Set("msatsPerSecond", num(env, static_cast<double>(t.msats_per_second)));
    o.Set("satsPerSecond", t.sats_per_second);
    o.Set("usdCentsPerSecond", t.usd_cents_per_second);
    o.Set("costPerMinuteSats", t.cost_per_minute_sats);
    o.Set("costPerHourSats", t.cost_per_hour_sats);
    o.Set("costPerDaySats", t.cost_per_day_sats);
    o.Set("costPerHourUsd", t.cost_per_hour_usd);
    o.Set("raw", toJs(env, t.raw));
    return o;
}

Napi::Value toJs(Napi::Env env, const PendingInvoice& p) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("bolt11", p.bolt11);
    o.Set("paymentHash", p.payment_hash);
    o.Set("amountMsats", num(env, static_cast<double>(p.amount_msats)));
    o.Set("expiresAt", optStr(env, p.expires_at));
    o.Set("raw", toJs(env, p.raw));
    return o;
}

Napi::Value toJs(Napi::Env env, const std::optional<PendingInvoice>& p) {
    return p ? toJs(env, *p) : env.Null();
}

Napi::Value toJs(Napi::Env env, const SandboxStatus& s) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("sandboxId", s.sandbox_id);
    o.Set("status", s.status);
    o.Set("tier", s.tier);
    o.Set("runtime", s.runtime);
    o.Set("billingMethod", s.billing_method);
    o.Set("template", s.template_name);
    o.Set("label", optStr(env, s.label));
    o.Set("statusReason", optStr(env, s.status_reason));
    o.Set("createdAt", optStr(env, s.created_at));
    o.Set("terminatedAt", optStr(env, s.terminated_at));
    o.Set("consumedMsats", num(env, static_cast<double>(s.consumed_msats)));
    o.Set("msatsPerSecond", optNum(env, s.msats_per_second));
    o.Set("satsPerSecond", optNum(env, s.sats_per_second));
    o.Set("prepaidBalanceMsats", optNum(env, s.prepaid_balance_msats));
    o.Set("secondsRemaining", optNum(env, s.seconds_remaining));
    o.Set("warningLevel", optStr(env, s.warning_level));
    o.Set("nextPollSecs", optNum(env, s.next_poll_secs));
    o.Set("metricsStale", s.metrics_stale);
    o.Set("runtimeConsumedTotal", optNum(env, s.runtime_consumed_total));
    o.Set("pendingInvoice", toJs(env, s.pending_invoice));
    o.Set("invoice", optStr(env, s.invoice));
    o.Set("sandboxToken", optStr(env, s.sandbox_token));
    o.Set("usdCentsPerSecond", optNum(env, s.usd_cents_per_second));
    o.Set("consumedSubcents", optNum(env, s.consumed_subcents));
    o.Set("prepaidBalanceSubcents", optNum(env, s.prepaid_balance_subcents));
    o.Set("raw", toJs(env, s.raw));
    return o;
}

Napi::Value toJs(Napi::Env env, const CreatedSandbox& c) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("sandboxId", c.sandbox_id);
    o.Set("status", c.status);
    o.Set("tier", c.tier);
    o.Set("billingMethod", c.billing_method);
    o.Set("label", optStr(env, c.label));
    o.Set("sandboxToken", optStr(env, c.sandbox_token));
    o.Set("invoice", optStr(env, c.invoice));
    o.Set("paymentHash", optStr(env, c.payment_hash));
    o.Set("amountMsats", optNum(env, c.amount_msats));
    o.Set("amountSats", optNum(env, c.amount_sats));
    o.Set("msatsPerSecond", optNum(env, c.msats_per_second));
    o.Set("prepaidSeconds", optNum(env, c.prepaid_seconds));
    o.Set("expiresAt", optStr(env, c.expires_at));
    o.Set("pendingInvoice", toJs(env, c.pending_invoice));
    o.Set("prepaidBalanceSubcents", optNum(env, c.prepaid_balance_subcents));
    o.Set("createdAt", optStr(env, c.created_at));
    o.Set("raw", toJs(env, c.raw));
    return o;
}

Napi::Value toJs(Napi::Env env, const Execution& e) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("executionId", e.execution_id);
    o.Set("status", e.status);
    o.Set("sandboxId", e.sandbox_id);
    o.Set("command", e.command);
    o.Set("workingDir", optStr(env, e.working_dir));
    o.Set("timeoutMs", optNum(env, e.timeout_ms));
    o.Set("startedAt", optStr(env, e.started_at));
    o.Set("raw", toJs(env, e.raw));
    return o;
}

Napi::Value toJs(Napi::Env env, const OutputChunk& c) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("stream", c.stream);
    o.Set("chunk", c.chunk);
    return o;
}

Napi::Value toJs(Napi::Env env, const TransferProgress& p) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("bytesDone", static_cast<double>(p.bytes_done));
    o.Set("bytesTotal", static_cast<double>(p.bytes_total));
    o.Set("filesDone", static_cast<double>(p.files_done));
    o.Set("filesTotal", static_cast<double>(p.files_total));
    return o;
}

Napi::Value toJs(Napi::Env env, const TransferResult& r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("files", static_cast<double>(r.files));
    o.Set("directories", static_cast<double>(r.directories));
    o.Set("bytes", static_cast<double>(r.bytes));
    return o;
}

Napi::Value toJs(Napi::Env env, const ExecResult& r) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("executionId", r.execution_id);
    o.Set("status", r.status);
    Napi::Array output = Napi::Array::New(env, r.output.size());
    for (uint32_t i = 0; i < r.output.size(); ++i) {
        output.Set(i, toJs(env, r.output[i]));
    }
    o.Set("output", output);
    o.Set("stdout", r.stdoutText());
    o.Set("stderr", r.stderrText());
    o.Set("exitCode", r.exit_code ? num(env, *r.exit_code) : env.Null());
    o.Set("error", optStr(env, r.error));
    o.Set("pendingInvoice", toJs(env, r.pending_invoice));
    o.Set("sandboxId", optStr(env, r.sandbox_id));
    o.Set("startedAt", optStr(env, r.started_at));
    o.Set("finishedAt", optStr(env, r.finished_at));
    o.Set("raw", toJs(env, r.raw));
    return o;
}

Napi::Value toJs(Napi::Env env, const FileEntry& f) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", f.name);
    o.Set("size", num(env, static_cast<double>(f.size)));
    o.Set("modTs", num(env, static_cast<double>(f.mod_ts)));
    o.Set("isDir", f.is_dir);
    o.Set("isFile", f.is_file);
    o.Set("isSymlink", f.is_symlink);
    o.Set("raw", toJs(env, f.raw));
    return o;
}

Napi::Value toJs(Napi::Env env, const WriteResult& w) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("path", w.path);
    o.Set("bytesWritten", num(env, static_cast<double>(w.bytes_written)));
    o.Set("createdDirs", w.created_dirs);
    o.Set("raw", toJs(env, w.raw));
    return o;
}

Napi::Value toJs(Napi::Env env, const TerminateResult& t) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("sandboxId", t.sandbox_id);
    o.Set("status", t.status);
    o.Set("consumedMsatsTotal", num(env, static_cast<double>(t.consumed_msats_total)));
    o.Set("terminatedAt", optStr(env, t.terminated_at));
    o.Set("alreadyTerminated", t.already_terminated);
    o.Set("refund", toJs(env, t.refund));
    o.Set("raw", toJs(env, t.raw));
    return o;
}

Napi::Value toJs(Napi::Env env, const BillingEvent& e) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", e.name);
    o.Set("invoice", toJs(env, e.invoice));
    o.Set("data", toJs(env, e.data));
    return o;
}

Napi::Value toJs(Napi::Env env, const ShellFrame& f) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("type", f.type);
    o.Set("data", f.data);
    o.Set("code", f.code ? num(env, *f.code) : env.Null());
    o.Set("raw", toJs(env, f.raw));
    return o;
}

std::optional<std::string> optString(const Napi::Object& o, const char* key) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined() || v.IsNull()) {
        return std::nullopt;
    }
    if (!v.IsString()) {
        throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a string");
    }
    return v.As<Napi::String>().Utf8Value();
}

std::optional<std::int64_t> optInt(const Napi::Object& o, const char* key) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined() || v.IsNull()) {
        return std::nullopt;
    }
    if (!v.IsNumber()) {
        throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
    }
    double d = v.As<Napi::Number>().DoubleValue();
    if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740991.0) {
        throw Napi::RangeError::New(o.Env(), std::string(key) + " must be an integer");
    }
    return static_cast<std::int64_t>(d);
}

std::optional<bool> optBool(const Napi::Object& o, const char* key) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined() || v.IsNull()) {
        return std::nullopt;
    }
    if (!v.IsBoolean()) {
        throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a boolean");
    }
    return v.As<Napi::Boolean>().Value();
}

std::string requireString(const Napi::Value& v, const char* what) {
    if (!v.IsString()) {
        throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a string");
    }
    return v.As<Napi::String>().Utf8Value();
}

} // namespace sockt::node
