// Runs one blocking core call on a pool thread and settles a Promise on the JS thread.
//
// The only bridge between JS calls and core calls (cf. duckdb-node-neo's PromiseWorker, but on
// our own TaskPool instead of napi_async_work, which would use libuv's 4-thread pool):
// - arguments are converted to C++ values on the JS thread before the call (captured by `work`);
// - `work` runs on a pool thread and must not touch any Napi value;
// - `convert` builds the JS result on the JS thread; `settled` (optional) runs there after it.
//   When the environment is gone before the call ends, neither runs and both are destroyed on
//   whichever thread drops the job (a pool thread, or the dispatcher's teardown): their captures
//   must not own Napi references or values (keep ids, as `unregister` does, or C++ memory);
// - while the call is in flight the dispatcher is held, so the process waits for the promise.
#pragma once

#include "addon_data.hpp"
#include "errors.hpp"
#include "task_pool.hpp"

#include <memory>
#include <napi.h>
#include <optional>
#include <sockt/options.hpp>
#include <type_traits>

namespace sockt::node {

/// Result type of calls that return nothing.
struct Unit {};

template <typename Work, typename Convert>
Napi::Value runAsync(Napi::Env env, const CancelToken& cancel, Work work, Convert convert,
                     std::function<void(Napi::Env)> settled = {}) {
    using R = std::decay_t<decltype(work())>;
    AddonData& data = AddonData::of(env);
    auto deferred = Napi::Promise::Deferred::New(env);
    Napi::Promise promise = deferred.Promise();
    if (data.shut_down) {
        deferred.Reject(Napi::Error::New(env, "sockt: the environment is shutting down").Value());
        return promise;
    }

    std::shared_ptr<JsDispatcher> dispatcher = data.dispatcher;
    std::shared_ptr<InFlight> inflight = data.inflight;
    std::uint64_t call_id = inflight->add(cancel);
    dispatcher->hold();

    TaskPool::instance().submit([=]() mutable {
        auto result = std::make_shared<std::optional<R>>();
        std::optional<ErrorInfo> error;
        try {
            result->emplace(work());
        } catch (...) {
            error = ErrorInfo::fromCurrentException();
        }
        inflight->remove(call_id);
        dispatcher->post(
            [deferred, result, error, convert, settled, dispatcher](Napi::Env env) mutable {
                dispatcher->release();
                if (error) {
                    deferred.Reject(error->toJs(env).Value());
                } else {
                    try {
                        deferred.Resolve(convert(env, **result));
                    } catch (const Napi::Error& e) {
                        deferred.Reject(e.Value());
                    }
                }
                if (settled) {
                    settled(env);
                }
            });
    });
    return promise;
}

/// `convert` for calls that resolve to undefined.
inline Napi::Value toUndefined(Napi::Env env, Unit&) {
    return env.Undefined();
}

} // namespace sockt::node
