// Native → JS calls: a C++ callable that any thread may invoke, which runs the JS function
// registered in the CallbackRegistry on the JS thread (Napi values are never touched off
// it). Events after the function was removed are dropped.
#pragma once

#include "addon_data.hpp"
#include "convert.hpp"

#include <cstdint>
#include <functional>
#include <memory>

namespace sockt::node {

template <class T>
std::function<void(const T&)> postTo(std::shared_ptr<JsDispatcher> dispatcher,
                                     std::uint64_t callback_id) {
    return [dispatcher = std::move(dispatcher), callback_id](const T& value) {
        dispatcher->post([callback_id, value](Napi::Env env) {
            if (Napi::FunctionReference* fn = AddonData::of(env).callbacks.find(callback_id)) {
                fn->Call({toJs(env, value)});
            }
        });
    };
}

/// Registers `fn` (when it is a function) and sets `out` to post values to it; returns the
/// registry id to remove when the call settles, 0 when `fn` is not a function.
template <class T>
std::uint64_t registerCallback(Napi::Env env, const Napi::Value& fn,
                               std::function<void(const T&)>& out) {
    if (!fn.IsFunction()) {
        return 0;
    }
    AddonData& data = AddonData::of(env);
    std::uint64_t id = data.callbacks.add(fn.As<Napi::Function>());
    out = postTo<T>(data.dispatcher, id);
    return id;
}

/// Removes the callback `callback_id` once the call has settled (on the JS thread).
inline std::function<void(Napi::Env)> unregister(std::uint64_t callback_id) {
    if (callback_id == 0) {
        return {};
    }
    return [callback_id](Napi::Env env) { AddonData::of(env).callbacks.remove(callback_id); };
}

} // namespace sockt::node
