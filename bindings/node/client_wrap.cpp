#include "client_wrap.hpp"

#include "cancel_wrap.hpp"
#include "convert.hpp"
#include "promise_worker.hpp"
#include "sandbox_wrap.hpp"

#include <chrono>

namespace sockt::node {

Napi::Function ClientWrap::define(Napi::Env env) {
    return DefineClass(env, "NativeClient",
                       {InstanceMethod<&ClientWrap::listTiers>("listTiers"),
                        InstanceMethod<&ClientWrap::createSandbox>("createSandbox"),
                        InstanceMethod<&ClientWrap::getSandbox>("getSandbox"),
                        InstanceMethod<&ClientWrap::sandbox>("sandbox"),
                        InstanceMethod<&ClientWrap::close>("close"),
                        InstanceMethod<&ClientWrap::describe>("describe"),
                        InstanceAccessor<&ClientWrap::closed>("closed"),
                        InstanceAccessor<&ClientWrap::baseUrl>("baseUrl")});
}

ClientWrap::ClientWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ClientWrap>(info) {
    // What is not given stays unset: the core applies the environment (SOCKT_API_KEY, …) and its
    // defaults, and checks every value (docs/protocol.md §12 rule 6).
    client_ = translateErrors(info.Env(), [&] {
        ClientOptions options;
        if (info.Length() > 0 && info[0].IsObject()) {
            Napi::Object o = info[0].As<Napi::Object>();
            options.api_key = optString(o, "apiKey");
            options.sandbox_token = optString(o, "sandboxToken");
            options.base_url = optString(o, "baseUrl");
            options.ca_file = optString(o, "caFile");
            if (auto ms = optNumber(o, "timeoutMs")) {
                options.timeout = protocol::millisArg(*ms, "timeoutMs");
            }
            if (auto suffix = optString(o, "userAgentSuffix")) {
                options.user_agent_suffix = *suffix;
            }
            if (auto ignore = optBool(o, "ignoreEnv")) {
                options.ignore_env = *ignore;
            }
        }
        return std::make_shared<ComputeClient>(std::move(options));
    });
}

Napi::Value ClientWrap::listTiers(const Napi::CallbackInfo& info) {
    auto client = client_;
    CancelToken cancel = CancelWrap::from(info[0]);
    return runAsync(
        info.Env(), cancel, [client, cancel] { return client->listTiers(cancel); },
        [](Napi::Env env, std::vector<Tier>& tiers) -> Napi::Value {
            Napi::Array arr = Napi::Array::New(env, tiers.size());
            for (uint32_t i = 0; i < tiers.size(); ++i) {
                arr.Set(i, toJs(env, tiers[i]));
            }
            return arr;
        });
}

Napi::Value ClientWrap::createSandbox(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    CreateSandboxOptions options;
    if (info[0].IsObject()) {
        Napi::Object o = info[0].As<Napi::Object>();
        if (auto tier = optString(o, "tier")) {
            options.tier = *tier;
        }
        options.billing_method = optString(o, "billingMethod");
        options.prepaid_sats = optInt(o, "prepaidSats");
        options.initial_credits_cents = optInt(o, "initialCreditsCents");
        options.label = optString(o, "label");
    }
    auto client = client_;
    CancelToken cancel = CancelWrap::from(info[1]);
    return runAsync(
        env, cancel, [client, options, cancel] { return client->createSandbox(options, cancel); },
        [](Napi::Env env, Sandbox& sandbox) { return SandboxWrap::wrap(env, std::move(sandbox)); });
}

Napi::Value ClientWrap::getSandbox(const Napi::CallbackInfo& info) {
    std::string id = requireString(info[0], "sandboxId");
    auto client = client_;
    CancelToken cancel = CancelWrap::from(info[1]);
    return runAsync(
        info.Env(), cancel, [client, id, cancel] { return client->getSandbox(id, cancel); },
        [](Napi::Env env, Sandbox& sandbox) { return SandboxWrap::wrap(env, std::move(sandbox)); });
}

Napi::Value ClientWrap::sandbox(const Napi::CallbackInfo& info) {
    std::string id = requireString(info[0], "sandboxId");
    return translateErrors(info.Env(),
                           [&] { return SandboxWrap::wrap(info.Env(), client_->sandbox(id)); });
}

Napi::Value ClientWrap::close(const Napi::CallbackInfo& info) {
    // Closing joins connections; keep it off the JS thread like any other network operation.
    auto client = client_;
    return runAsync(
        info.Env(), CancelToken(),
        [client] {
            client->close();
            return Unit{};
        },
        toUndefined);
}

Napi::Value ClientWrap::closed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), client_->closed());
}

Napi::Value ClientWrap::baseUrl(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), client_->baseUrl());
}

Napi::Value ClientWrap::describe(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), client_->describe());
}

} // namespace sockt::node
