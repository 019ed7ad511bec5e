// Native side of ShellSession (node/src/index.ts is the public API; it pumps frames with recv()).
#pragma once

#include <memory>
#include <napi.h>
#include <sockt/shell.hpp>

namespace sockt::node {

class ShellWrap : public Napi::ObjectWrap<ShellWrap> {
public:
    static Napi::Function define(Napi::Env env);
    /// Only through wrap(): the argument is an External holding the session.
    explicit ShellWrap(const Napi::CallbackInfo& info);
    ~ShellWrap() override;

    static Napi::Value wrap(Napi::Env env, ShellSession session);

private:
    Napi::Value connect(const Napi::CallbackInfo& info);
    Napi::Value close(const Napi::CallbackInfo& info);
    Napi::Value connected(const Napi::CallbackInfo& info);
    Napi::Value send(const Napi::CallbackInfo& info);
    Napi::Value sendLine(const Napi::CallbackInfo& info);
    Napi::Value resize(const Napi::CallbackInfo& info);
    Napi::Value recv(const Napi::CallbackInfo& info);
    Napi::Value exitCode(const Napi::CallbackInfo& info);
    Napi::Value closeCode(const Napi::CallbackInfo& info);
    Napi::Value describe(const Napi::CallbackInfo& info);

    std::shared_ptr<ShellSession> session_;
};

} // namespace sockt::node
