// Core models → JavaScript objects with camelCase keys (JS thread only). Every object keeps the
// server's JSON in `raw` (snake_case, as received).
#pragma once

#include <napi.h>
#include <optional>
#include <sockt/models.hpp>
#include <string>

namespace sockt::node {

Napi::Value toJs(Napi::Env env, const Json& json);
Napi::Value toJs(Napi::Env env, const Tier& tier);
Napi::Value toJs(Napi::Env env, const PendingInvoice& invoice);
Napi::Value toJs(Napi::Env env, const std::optional<PendingInvoice>& invoice);
Napi::Value toJs(Napi::Env env, const SandboxStatus& status);
Napi::Value toJs(Napi::Env env, const CreatedSandbox& created);
Napi::Value toJs(Napi::Env env, const Execution& execution);
Napi::Value toJs(Napi::Env env, const OutputChunk& chunk);
Napi::Value toJs(Napi::Env env, const ExecResult& result);
Napi::Value toJs(Napi::Env env, const FileEntry& entry);
Napi::Value toJs(Napi::Env env, const WriteResult& result);
Napi::Value toJs(Napi::Env env, const TerminateResult& result);
Napi::Value toJs(Napi::Env env, const BillingEvent& event);
Napi::Value toJs(Napi::Env env, const ShellFrame& frame);
Napi::Value toJs(Napi::Env env, const TransferProgress& progress);
Napi::Value toJs(Napi::Env env, const TransferResult& result);

// Argument helpers for option objects coming from node/src (already validated there; these
// still refuse wrong types instead of guessing).
std::optional<std::string> optString(const Napi::Object& o, const char* key);
std::optional<std::int64_t> optInt(const Napi::Object& o, const char* key);
std::optional<bool> optBool(const Napi::Object& o, const char* key);
std::string requireString(const Napi::Value& v, const char* what);

} // namespace sockt::node
