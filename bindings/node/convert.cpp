#include "convert.hpp"

#include <cmath>
#include <type_traits>
#include <vector>

namespace sockt::node {

namespace {

Napi::Value str(Napi::Env env, const std::string& s) {
    return Napi::String::New(env, s);
}

Napi::Value num(Napi::Env env, double v) {
    return Napi::Number::New(env, v);
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

namespace {

using bindings::Front;

// One overload per Kind of bindings/models/fields.hpp.
Napi::Value jsValue(Napi::Env env, const std::string& s) {
    return str(env, s);
}
Napi::Value jsValue(Napi::Env env, const Json& j) {
    return toJs(env, j);
}
Napi::Value jsValue(Napi::Env env, bool b) {
    return Napi::Boolean::New(env, b);
}
template <class T>
std::enable_if_t<std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, Napi::Value>
jsValue(Napi::Env env, T v) {
    return num(env, static_cast<double>(v));
}
Napi::Value jsValue(Napi::Env env, const PendingInvoice& p) {
    return toJs(env, p);
}
template <class T> Napi::Value jsValue(Napi::Env env, const std::optional<T>& v) {
    return v ? jsValue(env, *v) : env.Null();
}
Napi::Value jsValue(Napi::Env env, const std::vector<OutputChunk>& chunks) {
    Napi::Array out = Napi::Array::New(env, chunks.size());
    for (uint32_t i = 0; i < chunks.size(); ++i) {
        out.Set(i, toJs(env, chunks[i]));
    }
    return out;
}

template <class Model> Napi::Value objectOf(Napi::Env env, const Model& m) {
    Napi::Object o = Napi::Object::New(env);
    bindings::visitFields<Front::JavaScript>(
        m, [&](const char* key, const auto& value) { o.Set(key, jsValue(env, value)); });
    return o;
}

} // namespace

Napi::Value toJs(Napi::Env env, const std::optional<PendingInvoice>& p) {
    return jsValue(env, p);
}

#define SOCKT_NODE_DEFINE_TO_JS(Model)                                                        \
    Napi::Value toJs(Napi::Env env, const Model& m) {                                         \
        return objectOf(env, m);                                                              \
    }
SOCKT_MODELS(SOCKT_NODE_DEFINE_TO_JS)
#undef SOCKT_NODE_DEFINE_TO_JS

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

std::optional<double> optNumber(const Napi::Object& o, const char* key) {
    Napi::Value v = o.Get(key);
    if (v.IsUndefined() || v.IsNull()) {
        return std::nullopt;
    }
    if (!v.IsNumber()) {
        throw Napi::TypeError::New(o.Env(), std::string(key) + " must be a number");
    }
    return v.As<Napi::Number>().DoubleValue();
}

std::optional<std::int64_t> optInt(const Napi::Object& o, const char* key) {
    std::optional<double> number = optNumber(o, key);
    if (!number) {
        return std::nullopt;
    }
    double d = *number;
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
