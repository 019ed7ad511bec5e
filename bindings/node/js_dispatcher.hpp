// The one way back to the JavaScript thread: a thread-safe function shared by every call and
// event of an environment.
//
// Lifetime rules:
// 1. post() may be called from any thread; a job runs on the JS thread, in post order (so output
//    and events of a call always arrive before the call's promise settles).
// 2. The thread-safe function keeps the event loop alive only while hold() outweighs release()
//    (calls in flight); idle, it is unreferenced so a finished program exits.
// 3. shutdown() (environment teardown, process 'exit') releases it; later posts are dropped and
//    return false, so no native thread ever calls a released thread-safe function.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <napi.h>

namespace sockt::node {

class JsDispatcher {
public:
    using Job = std::function<void(Napi::Env)>;

    explicit JsDispatcher(Napi::Env env);
    JsDispatcher(const JsDispatcher&) = delete;
    JsDispatcher& operator=(const JsDispatcher&) = delete;

    /// Any thread. False once shut down (the job is dropped without running).
    bool post(Job job);

    /// JS thread only.
    void hold();
    void release();
    void shutdown();

private:
    static void callJs(napi_env env, napi_value, void*, void* data);

    napi_env env_;
    napi_threadsafe_function tsfn_ = nullptr;
    std::mutex mu_;
    bool closed_ = false;
    int holds_ = 0;
};

} // namespace sockt::node
