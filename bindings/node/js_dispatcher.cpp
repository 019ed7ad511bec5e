#include "js_dispatcher.hpp"

namespace sockt::node {

JsDispatcher::JsDispatcher(Napi::Env env) : env_(env) {
    napi_value name;
    napi_create_string_utf8(env, "sockt", NAPI_AUTO_LENGTH, &name);
    napi_status status = napi_create_threadsafe_function(
        env, nullptr, nullptr, name, 0 /* unbounded queue: posts never block */, 1, nullptr,
        nullptr, this, &JsDispatcher::callJs, &tsfn_);
    if (status != napi_ok) {
        NAPI_THROW_VOID(Napi::Error::New(env, "sockt: cannot create a thread-safe function"));
    }
    napi_unref_threadsafe_function(env, tsfn_);
}

bool JsDispatcher::post(Job job) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
        return false;
    }
    auto* data = new Job(std::move(job));
    if (napi_call_threadsafe_function(tsfn_, data, napi_tsfn_nonblocking) != napi_ok) {
        delete data;
        return false;
    }
    return true;
}

void JsDispatcher::hold() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!closed_ && holds_++ == 0) {
        napi_ref_threadsafe_function(env_, tsfn_);
    }
}

void JsDispatcher::release() {
    std::lock_guard<std::mutex> lock(mu_);
    if (holds_ > 0 && --holds_ == 0 && !closed_) {
        napi_unref_threadsafe_function(env_, tsfn_);
    }
}

void JsDispatcher::shutdown() {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
        return;
    }
    closed_ = true;
    napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
}

void JsDispatcher::callJs(napi_env env, napi_value, void*, void* data) {
    std::unique_ptr<Job> job(static_cast<Job*>(data));
    // env is null when the function is torn down with jobs still queued: drop them.
    if (env == nullptr || !*job) {
        return;
    }
    Napi::Env napi_env(env);
    Napi::HandleScope scope(napi_env);
    try {
        (*job)(napi_env);
    } catch (const Napi::Error& e) {
        // A listener threw: surface it like an exception thrown from any other event callback.
        napi_fatal_exception(env, e.Value());
    } catch (const std::exception& e) {
        napi_fatal_exception(env, Napi::Error::New(napi_env, e.what()).Value());
    }
}

} // namespace sockt::node
