// NativeSandbox.upload / download: the core's Sandbox::upload/download on a
// pool thread; progress reaches the JS `onProgress` through the dispatcher.
#include "sandbox_wrap.hpp"

#include "cancel_wrap.hpp"
#include "js_callback.hpp"
#include "promise_worker.hpp"

namespace sockt::node {

namespace {

using Move = TransferResult (Sandbox::*)(const std::string&, const std::string&,
                                         const TransferOptions&, const CancelToken&);

Napi::Value transfer(const Napi::CallbackInfo& info, Sandbox sb, Move move) {
    Napi::Env env = info.Env();
    std::string from = requireString(info[0], "source");
    std::string to = requireString(info[1], "destination");
    Napi::Object o =
        info.Length() > 2 && info[2].IsObject() ? info[2].As<Napi::Object>() : Napi::Object::New(env);
    TransferOptions options;
    if (auto n = optInt(o, "concurrency")) {
        options.concurrency = static_cast<int>(*n);
    }
    if (auto keep = optBool(o, "preserveMode")) {
        options.preserve_mode = *keep;
    }
    std::uint64_t callback_id =
        registerCallback<TransferProgress>(env, o.Get("onProgress"), options.on_progress);
    CancelToken cancel = CancelWrap::from(info[3]);
    return runAsync(
        env, cancel,
        [sb, move, from, to, options, cancel]() mutable {
            return (sb.*move)(from, to, options, cancel);
        },
        [](Napi::Env env, TransferResult& r) { return toJs(env, r); }, unregister(callback_id));
}

} // namespace

Napi::Value SandboxWrap::upload(const Napi::CallbackInfo& info) {
    return transfer(info, sandbox_, &Sandbox::upload);
}

Napi::Value SandboxWrap::download(const Napi::CallbackInfo& info) {
    return transfer(info, sandbox_, &Sandbox::download);
}

} // namespace sockt::node
