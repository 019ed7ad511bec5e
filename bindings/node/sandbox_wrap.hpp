// Native side of Sandbox (node/src/index.ts is the public API).
#pragma once

#include <cstdint>
#include <napi.h>
#include <sockt/sandbox.hpp>
#include <unordered_map>

namespace sockt::node {

class SandboxWrap : public Napi::ObjectWrap<SandboxWrap> {
public:
    static Napi::Function define(Napi::Env env);
    /// Only through wrap(): the argument is an External holding the handle.
    explicit SandboxWrap(const Napi::CallbackInfo& info);
    ~SandboxWrap() override;

    static Napi::Value wrap(Napi::Env env, Sandbox sandbox);

private:
    Napi::Value id(const Napi::CallbackInfo& info);
    Napi::Value status(const Napi::CallbackInfo& info);
    Napi::Value pendingInvoice(const Napi::CallbackInfo& info);
    Napi::Value sandboxToken(const Napi::CallbackInfo& info);
    Napi::Value lastStatus(const Napi::CallbackInfo& info);
    Napi::Value created(const Napi::CallbackInfo& info);
    Napi::Value describe(const Napi::CallbackInfo& info);

    Napi::Value waitUntilRunning(const Napi::CallbackInfo& info);
    Napi::Value refreshStatus(const Napi::CallbackInfo& info);
    Napi::Value pause(const Napi::CallbackInfo& info);
    Napi::Value resume(const Napi::CallbackInfo& info);
    Napi::Value terminate(const Napi::CallbackInfo& info);
    Napi::Value exec(const Napi::CallbackInfo& info);
    Napi::Value execResult(const Napi::CallbackInfo& info);
    Napi::Value execCancel(const Napi::CallbackInfo& info);
    Napi::Value execWait(const Napi::CallbackInfo& info);
    Napi::Value execNext(const Napi::CallbackInfo& info);
    Napi::Value upload(const Napi::CallbackInfo& info);   // sandbox_transfer_wrap.cpp
    Napi::Value download(const Napi::CallbackInfo& info); // sandbox_transfer_wrap.cpp
    Napi::Value writeFile(const Napi::CallbackInfo& info);
    Napi::Value writeFileBytes(const Napi::CallbackInfo& info);
    Napi::Value readFile(const Napi::CallbackInfo& info);
    Napi::Value readFileBytes(const Napi::CallbackInfo& info);
    Napi::Value listFiles(const Napi::CallbackInfo& info);
    Napi::Value shell(const Napi::CallbackInfo& info);
    Napi::Value on(const Napi::CallbackInfo& info);
    Napi::Value off(const Napi::CallbackInfo& info);

    using Poll = ExecResult (Sandbox::*)(const std::string&, const PollOptions&,
                                         const CancelToken&);
    Napi::Value pollCall(const Napi::CallbackInfo& info, Poll poll_fn);

    Sandbox sandbox_;
    // JS listener id (CallbackRegistry) → core listener id.
    std::unordered_map<std::uint64_t, std::uint64_t> listeners_;
};

} // namespace sockt::node
