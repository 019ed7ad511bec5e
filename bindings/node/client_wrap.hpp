// Native side of ComputeClient (node/src/index.ts is the public API).
#pragma once

#include <memory>
#include <napi.h>
#include <sockt/client.hpp>

namespace sockt::node {

class ClientWrap : public Napi::ObjectWrap<ClientWrap> {
public:
    static Napi::Function define(Napi::Env env);
    /// new NativeClient({ apiKey, sandboxToken, baseUrl, timeoutMs, caFile, userAgentSuffix })
    explicit ClientWrap(const Napi::CallbackInfo& info);

private:
    Napi::Value listTiers(const Napi::CallbackInfo& info);
    Napi::Value createSandbox(const Napi::CallbackInfo& info);
    Napi::Value getSandbox(const Napi::CallbackInfo& info);
    Napi::Value sandbox(const Napi::CallbackInfo& info);
    Napi::Value close(const Napi::CallbackInfo& info);
    Napi::Value closed(const Napi::CallbackInfo& info);
    Napi::Value baseUrl(const Napi::CallbackInfo& info);
    Napi::Value describe(const Napi::CallbackInfo& info);

    // Shared with the calls in flight, which may outlive this wrapper's garbage collection.
    std::shared_ptr<ComputeClient> client_;
};

} // namespace sockt::node
