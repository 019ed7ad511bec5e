// CancelToken exposed to JS: node/src creates one per call and cancels it from an AbortSignal
// listener or from ComputeClient.close(), on the JS thread (core calls poll it in ≤ 50 ms slices).
#pragma once

#include <napi.h>
#include <sockt/options.hpp>

namespace sockt::node {

class CancelWrap : public Napi::ObjectWrap<CancelWrap> {
public:
    static Napi::Function define(Napi::Env env);
    explicit CancelWrap(const Napi::CallbackInfo& info);

    /// The token wrapped by `value`, or a fresh never-cancelled one when `value` is undefined.
    static CancelToken from(const Napi::Value& value);

private:
    Napi::Value cancel(const Napi::CallbackInfo& info);
    Napi::Value cancelled(const Napi::CallbackInfo& info);

    CancelToken token_;
};

} // namespace sockt::node
