#include "shell_wrap.hpp"

#include "addon_data.hpp"
#include "cancel_wrap.hpp"
#include "convert.hpp"
#include "promise_worker.hpp"

#include <chrono>

namespace sockt::node {

Napi::Function ShellWrap::define(Napi::Env env) {
    return DefineClass(
        env, "NativeShell",
        {InstanceMethod<&ShellWrap::connect>("connect"), InstanceMethod<&ShellWrap::close>("close"),
         InstanceMethod<&ShellWrap::send>("send"), InstanceMethod<&ShellWrap::sendLine>("sendLine"),
         InstanceMethod<&ShellWrap::resize>("resize"), InstanceMethod<&ShellWrap::recv>("recv"),
         InstanceMethod<&ShellWrap::describe>("describe"),
         InstanceAccessor<&ShellWrap::connected>("connected"),
         InstanceAccessor<&ShellWrap::exitCode>("exitCode"),
         InstanceAccessor<&ShellWrap::closeCode>("closeCode")});
}

ShellWrap::ShellWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ShellWrap>(info) {
    if (info.Length() < 1 || !info[0].IsExternal()) {
        throw Napi::TypeError::New(info.Env(), "NativeShell is created by Sandbox.shell()");
    }
    session_ = std::make_shared<ShellSession>(*info[0].As<Napi::External<ShellSession>>().Data());
}

ShellWrap::~ShellWrap() {
    // The last copy of a session closes its socket, which can wait up to 2 s for the peer:
    // never on the JS thread (this destructor runs in a GC finalizer).
    std::shared_ptr<ShellSession> session = std::move(session_);
    if (session) {
        TaskPool::instance().submit([session]() mutable { session.reset(); });
    }
}

Napi::Value ShellWrap::wrap(Napi::Env env, ShellSession session) {
    ShellSession copy = std::move(session);
    return AddonData::of(env).shell_ctor.New({Napi::External<ShellSession>::New(env, &copy)});
}

Napi::Value ShellWrap::connect(const Napi::CallbackInfo& info) {
    auto session = session_;
    CancelToken cancel = CancelWrap::from(info[0]);
    return runAsync(
        info.Env(), cancel,
        [session, cancel] {
            session->connect(cancel);
            return Unit{};
        },
        toUndefined);
}

Napi::Value ShellWrap::close(const Napi::CallbackInfo& info) {
    auto session = session_;
    return runAsync(
        info.Env(), CancelToken(),
        [session] {
            session->close();
            return Unit{};
        },
        toUndefined);
}

Napi::Value ShellWrap::connected(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), session_->connected());
}

Napi::Value ShellWrap::send(const Napi::CallbackInfo& info) {
    std::string text = requireString(info[0], "data");
    translateErrors(info.Env(), [&] { session_->send(text); });
    return info.Env().Undefined();
}

Napi::Value ShellWrap::sendLine(const Napi::CallbackInfo& info) {
    std::string text = requireString(info[0], "line");
    translateErrors(info.Env(), [&] { session_->sendLine(text); });
    return info.Env().Undefined();
}

Napi::Value ShellWrap::resize(const Napi::CallbackInfo& info) {
    if (!info[0].IsNumber() || !info[1].IsNumber()) {
        throw Napi::TypeError::New(info.Env(), "resize(cols, rows) takes two numbers");
    }
    int cols = info[0].As<Napi::Number>().Int32Value();
    int rows = info[1].As<Napi::Number>().Int32Value();
    translateErrors(info.Env(), [&] { session_->resize(cols, rows); });
    return info.Env().Undefined();
}

Napi::Value ShellWrap::recv(const Napi::CallbackInfo& info) {
    std::chrono::milliseconds timeout(30'000);
    if (info[0].IsNumber()) {
        timeout = std::chrono::milliseconds(info[0].As<Napi::Number>().Int64Value());
    }
    auto session = session_;
    CancelToken cancel = CancelWrap::from(info[1]);
    return runAsync(
        info.Env(), cancel, [session, timeout, cancel] { return session->recv(timeout, cancel); },
        [](Napi::Env env, std::optional<ShellFrame>& frame) -> Napi::Value {
            return frame ? toJs(env, *frame) : env.Null();
        });
}

Napi::Value ShellWrap::exitCode(const Napi::CallbackInfo& info) {
    auto code = session_->exitCode();
    return code ? Napi::Number::New(info.Env(), *code) : info.Env().Null();
}

Napi::Value ShellWrap::closeCode(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), session_->closeCode());
}

Napi::Value ShellWrap::describe(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), session_->describe());
}

} // namespace sockt::node
