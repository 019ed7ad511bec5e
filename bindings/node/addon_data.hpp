// Per-environment state of the addon (one per main thread or worker_thread that loads it).
#pragma once

#include "js_dispatcher.hpp"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <napi.h>
#include <sockt/options.hpp>
#include <unordered_map>

namespace sockt::node {

/// Cancel tokens of the calls that are running on pool threads, so teardown can stop them.
/// Thread-safe.
class InFlight {
public:
    std::uint64_t add(const CancelToken& token);
    void remove(std::uint64_t id);
    /// Cancels every running call and waits until they have left the core, at most `grace`.
    void cancelAllAndWait(std::chrono::milliseconds grace);

private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::uint64_t next_ = 1;
    std::unordered_map<std::uint64_t, CancelToken> calls_;
};

/// JS functions that native threads may call (event listeners, output callbacks). Native code
/// keeps only the numeric id; the reference itself is created, used and destroyed on the JS
/// thread, so a late event for a removed listener finds nothing and is dropped.
class CallbackRegistry {
public:
    std::uint64_t add(Napi::Function fn);
    /// nullptr when removed.
    Napi::FunctionReference* find(std::uint64_t id);
    void remove(std::uint64_t id);

private:
    std::uint64_t next_ = 1;
    std::unordered_map<std::uint64_t, Napi::FunctionReference> fns_;
};

struct AddonData {
    explicit AddonData(Napi::Env env)
        : dispatcher(std::make_shared<JsDispatcher>(env)), inflight(std::make_shared<InFlight>()) {}

    std::shared_ptr<JsDispatcher> dispatcher;
    std::shared_ptr<InFlight> inflight;
    CallbackRegistry callbacks;
    Napi::FunctionReference sandbox_ctor;
    Napi::FunctionReference shell_ctor;
    bool shut_down = false;

    /// Stops every call of this environment; used at teardown and on process 'exit'.
    void shutdown();

    static AddonData& of(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
};

} // namespace sockt::node
