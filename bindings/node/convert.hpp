// Core models → JavaScript objects with camelCase keys (JS thread only). Every object keeps the
// server's JSON in `raw` (snake_case, as received).
#pragma once

#include "../models/fields.hpp"

#include <napi.h>
#include <optional>
#include <sockt/models.hpp>
#include <string>

namespace sockt::node {

Napi::Value toJs(Napi::Env env, const Json& json);
Napi::Value toJs(Napi::Env env, const std::optional<PendingInvoice>& invoice);
// One converter per model of bindings/models/fields.hpp.
#define SOCKT_NODE_DECLARE_TO_JS(Model) Napi::Value toJs(Napi::Env env, const Model& m);
SOCKT_MODELS(SOCKT_NODE_DECLARE_TO_JS)
#undef SOCKT_NODE_DECLARE_TO_JS

// Argument helpers for option objects coming from node/src (already validated there; these
// still refuse wrong types instead of guessing).
std::optional<std::string> optString(const Napi::Object& o, const char* key);
std::optional<double> optNumber(const Napi::Object& o, const char* key);
std::optional<std::int64_t> optInt(const Napi::Object& o, const char* key);
std::optional<bool> optBool(const Napi::Object& o, const char* key);
std::string requireString(const Napi::Value& v, const char* what);

} // namespace sockt::node
