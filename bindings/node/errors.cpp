#include "errors.hpp"

#include <sockt/errors.hpp>

namespace sockt::node {

ErrorInfo ErrorInfo::fromCurrentException() {
    ErrorInfo info;
    try {
        throw;
    } catch (const SocktError& e) {
        info.kind = errorKindName(e.kind()); // node/src/errors.ts maps it to a class
        info.message = e.what();
        info.raw_message = e.message();
        info.slug = e.slug();
        info.status_code = e.statusCode();
        info.request_id = e.requestId();
        info.hint = e.hint();
        info.body = e.body();
        info.retry_after = e.retryAfter();
    } catch (const std::bad_alloc&) {
        info.message = info.raw_message = "out of memory";
    } catch (const std::exception& e) {
        info.message = info.raw_message = e.what();
    } catch (...) {
        info.message = info.raw_message = "unknown native error";
    }
    return info;
}

Napi::Error ErrorInfo::toJs(Napi::Env env) const {
    Napi::Error error = Napi::Error::New(env, message);
    Napi::Object obj = error.Value();
    obj.Set("kind", kind);
    obj.Set("rawMessage", raw_message);
    obj.Set("slug", slug.empty() ? env.Null() : Napi::String::New(env, slug));
    obj.Set("statusCode", status_code == 0 ? env.Null() : Napi::Number::New(env, status_code));
    obj.Set("requestId", request_id.empty() ? env.Null() : Napi::String::New(env, request_id));
    obj.Set("hint", hint.empty() ? env.Null() : Napi::String::New(env, hint));
    obj.Set("body", body.empty() ? env.Null() : Napi::String::New(env, body));
    obj.Set("retryAfter", retry_after ? Napi::Number::New(env, *retry_after) : env.Null());
    return error;
}

} // namespace sockt::node
