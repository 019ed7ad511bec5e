#include "cancel_wrap.hpp"

namespace sockt::node {

namespace {
// N-API 8 type tag: napi_unwrap alone would accept any wrapped object (a Sandbox, a Shell).
constexpr napi_type_tag kCancelTag = {0x6b1f3c0a9d2e4f51ULL, 0x8a7c5e3d1b2f4a60ULL};
} // namespace

Napi::Function CancelWrap::define(Napi::Env env) {
    return DefineClass(env, "CancelToken",
                       {InstanceMethod<&CancelWrap::cancel>("cancel"),
                        InstanceAccessor<&CancelWrap::cancelled>("cancelled")});
}

CancelWrap::CancelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CancelWrap>(info) {
    napi_type_tag_object(info.Env(), info.This(), &kCancelTag);
}

CancelToken CancelWrap::from(const Napi::Value& value) {
    if (value.IsUndefined() || value.IsNull()) {
        return CancelToken();
    }
    bool tagged = false;
    if (value.IsObject()) {
        napi_check_object_type_tag(value.Env(), value, &kCancelTag, &tagged);
    }
    if (!tagged) {
        throw Napi::TypeError::New(value.Env(), "cancel must be a CancelToken");
    }
    return CancelWrap::Unwrap(value.As<Napi::Object>())->token_;
}

Napi::Value CancelWrap::cancel(const Napi::CallbackInfo& info) {
    token_.cancel();
    return info.Env().Undefined();
}

Napi::Value CancelWrap::cancelled(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), token_.cancelled());
}

} // namespace sockt::node
