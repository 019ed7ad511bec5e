// Entry point of the Node-API addon sockt_node.node. The TypeScript layer in
// node/src is the API; this module is its private native surface, typed in node/src/native.ts.
#include "addon_data.hpp"
#include "byte_stage.hpp"
#include "cancel_wrap.hpp"
#include "client_wrap.hpp"
#include "sandbox_wrap.hpp"
#include "shell_wrap.hpp"

#include <napi.h>
#include <sockt/protocol.hpp>

namespace sockt::node {
namespace {

// Called by node/src on process 'exit' (also for process.exit()), where environment cleanup
// hooks do not run: cancels the calls in flight and waits for them to leave the core, so no
// pool thread is inside OpenSSL or Poco while static destructors run.
Napi::Value shutdown(const Napi::CallbackInfo& info) {
    AddonData::of(info.Env()).shutdown();
    return info.Env().Undefined();
}

Napi::Value version(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), std::string(sockt::version()));
}

Napi::Object init(Napi::Env env, Napi::Object exports) {
    auto* data = new AddonData(env);
    env.SetInstanceData<AddonData>(data);
    // Environment teardown (end of the main script's loop, or a worker_thread ending).
    env.AddCleanupHook([data] { data->shutdown(); });

    Napi::Function sandbox = SandboxWrap::define(env);
    Napi::Function shell = ShellWrap::define(env);
    data->sandbox_ctor = Napi::Persistent(sandbox);
    data->shell_ctor = Napi::Persistent(shell);

    exports.Set("NativeClient", ClientWrap::define(env));
    exports.Set("CancelToken", CancelWrap::define(env));
    exports.Set("ByteStage", ByteStageWrap::define(env));
    exports.Set("NativeSandbox", sandbox);
    exports.Set("NativeShell", shell);
    exports.Set("shutdown", Napi::Function::New(env, shutdown, "shutdown"));
    exports.Set("version", Napi::Function::New(env, version, "version"));
    return exports;
}

} // namespace
} // namespace sockt::node

static Napi::Object initSocktNode(Napi::Env env, Napi::Object exports) {
    return sockt::node::init(env, exports);
}

NODE_API_MODULE(sockt_node, initSocktNode)
