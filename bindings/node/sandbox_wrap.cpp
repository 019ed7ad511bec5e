#include "sandbox_wrap.hpp"

#include "addon_data.hpp"
#include "byte_stage.hpp"
#include "cancel_wrap.hpp"
#include "convert.hpp"
#include "js_callback.hpp"
#include "promise_worker.hpp"
#include "shell_wrap.hpp"

#include <chrono>
#include <memory>
#include <sockt/errors.hpp>
#include <string_view>

namespace sockt::node {

namespace {

Napi::Object optionsArg(const Napi::CallbackInfo& info, size_t index) {
    if (info.Length() > index && info[index].IsObject()) {
        return info[index].As<Napi::Object>();
    }
    return Napi::Object::New(info.Env());
}

ExecOptions execOptions(const Napi::Object& o) {
    ExecOptions options;
    options.working_dir = optString(o, "workingDir");
    options.timeout_ms = optInt(o, "timeoutMs");
    return options;
}

/// Poll options; an `onOutput` function is registered so pool threads can reach it. Returns the
/// registry id to remove when the call settles (0 = none).
std::uint64_t pollOptions(Napi::Env env, const Napi::Object& o, PollOptions& poll) {
    if (auto ms = optInt(o, "pollIntervalMs")) {
        poll.poll_interval = std::chrono::milliseconds(*ms);
    }
    if (auto ms = optInt(o, "waitTimeoutMs")) {
        poll.timeout = std::chrono::milliseconds(*ms);
    }
    return registerCallback<OutputChunk>(env, o.Get("onOutput"), poll.on_output);
}

template <typename T> Napi::Value same(Napi::Env env, T& value) {
    return toJs(env, value);
}

Napi::Value toJsString(Napi::Env env, std::string& s) {
    return Napi::String::New(env, s);
}

/// `method(args..., token)` on a copy of the sandbox, on the task pool; the token is info[token_at].
template <class Method, class Convert, class... A>
Napi::Value callOnPool(const Napi::CallbackInfo& info, const Sandbox& sandbox, std::size_t token_at,
                       Method method, Convert convert, A... args) {
    CancelToken cancel = CancelWrap::from(info[token_at]);
    return runAsync(
        info.Env(), cancel,
        [sb = sandbox, cancel, method, args...]() mutable { return (sb.*method)(args..., cancel); },
        convert);
}

/// The decoded bytes of a read become the Buffer's memory (no copy on the JS thread, no second
/// 32 MiB alive): the string moves to the heap and the Buffer's finalizer deletes it.
Napi::Value decodedToBuffer(Napi::Env env, std::string& bytes) {
    if (bytes.empty()) {
        return Napi::Buffer<char>::New(env, 0);
    }
    auto owner = std::make_unique<std::string>(std::move(bytes));
    napi_value value = nullptr;
    napi_status status = napi_create_external_buffer(
        env, owner->size(), owner->data(),
        [](napi_env, void*, void* hint) { delete static_cast<std::string*>(hint); }, owner.get(),
        &value);
    if (status == napi_ok) {
        owner.release(); // the finalizer owns it now
        return Napi::Value(env, value);
    }
    if (status == napi_no_external_buffers_allowed) {
        // Runtimes that keep JS memory in a sandbox (Electron) refuse outside memory: copy.
        return Napi::Buffer<char>::Copy(env, owner->data(), owner->size());
    }
    NAPI_THROW_IF_FAILED(env, status, Napi::Value());
    return Napi::Value();
}

} // namespace

Napi::Function SandboxWrap::define(Napi::Env env) {
    return DefineClass(env, "NativeSandbox",
                       {InstanceAccessor<&SandboxWrap::id>("id"),
                        InstanceAccessor<&SandboxWrap::status>("status"),
                        InstanceAccessor<&SandboxWrap::pendingInvoice>("pendingInvoice"),
                        InstanceAccessor<&SandboxWrap::sandboxToken>("sandboxToken"),
                        InstanceAccessor<&SandboxWrap::lastStatus>("lastStatus"),
                        InstanceAccessor<&SandboxWrap::created>("created"),
                        InstanceMethod<&SandboxWrap::describe>("describe"),
                        InstanceMethod<&SandboxWrap::waitUntilRunning>("waitUntilRunning"),
                        InstanceMethod<&SandboxWrap::refreshStatus>("refreshStatus"),
                        InstanceMethod<&SandboxWrap::pause>("pause"),
                        InstanceMethod<&SandboxWrap::resume>("resume"),
                        InstanceMethod<&SandboxWrap::terminate>("terminate"),
                        InstanceMethod<&SandboxWrap::exec>("exec"),
                        InstanceMethod<&SandboxWrap::execResult>("execResult"),
                        InstanceMethod<&SandboxWrap::execCancel>("execCancel"),
                        InstanceMethod<&SandboxWrap::execWait>("execWait"),
                        InstanceMethod<&SandboxWrap::execNext>("execNext"),
                        InstanceMethod<&SandboxWrap::upload>("upload"),
                        InstanceMethod<&SandboxWrap::download>("download"),
                        InstanceMethod<&SandboxWrap::writeFile>("writeFile"),
                        InstanceMethod<&SandboxWrap::writeFileBytes>("writeFileBytes"),
                        InstanceMethod<&SandboxWrap::readFile>("readFile"),
                        InstanceMethod<&SandboxWrap::readFileBytes>("readFileBytes"),
                        InstanceMethod<&SandboxWrap::listFiles>("listFiles"),
                        InstanceMethod<&SandboxWrap::shell>("shell"),
                        InstanceMethod<&SandboxWrap::on>("on"),
                        InstanceMethod<&SandboxWrap::off>("off")});
}

SandboxWrap::SandboxWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<SandboxWrap>(info), sandbox_([&]() -> Sandbox {
          if (info.Length() < 1 || !info[0].IsExternal()) {
              throw Napi::TypeError::New(info.Env(), "NativeSandbox is created by the client");
          }
          return *info[0].As<Napi::External<Sandbox>>().Data();
      }()) {}

SandboxWrap::~SandboxWrap() {
    // Garbage-collected with listeners still registered: detach them from the shared state so
    // other handles of this sandbox stop posting events for a dead wrapper.
    for (auto& [js_id, core_id] : listeners_) {
        for (const char* event : {"pending_invoice", "low_balance", "out_of_balance"}) {
            if (sandbox_.off(event, core_id)) {
                break;
            }
        }
    }
}

Napi::Value SandboxWrap::wrap(Napi::Env env, Sandbox sandbox) {
    Sandbox copy = std::move(sandbox);
    // The External only lives for the constructor call, which copies the handle.
    return AddonData::of(env).sandbox_ctor.New({Napi::External<Sandbox>::New(env, &copy)});
}

Napi::Value SandboxWrap::id(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), sandbox_.id());
}

Napi::Value SandboxWrap::status(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), sandbox_.status());
}

Napi::Value SandboxWrap::pendingInvoice(const Napi::CallbackInfo& info) {
    return toJs(info.Env(), sandbox_.pendingInvoice());
}

Napi::Value SandboxWrap::sandboxToken(const Napi::CallbackInfo& info) {
    auto token = sandbox_.sandboxToken();
    return token ? Napi::String::New(info.Env(), *token) : info.Env().Null();
}

Napi::Value SandboxWrap::lastStatus(const Napi::CallbackInfo& info) {
    auto status = sandbox_.lastStatus();
    return status ? toJs(info.Env(), *status) : info.Env().Null();
}

Napi::Value SandboxWrap::created(const Napi::CallbackInfo& info) {
    auto created = sandbox_.created();
    return created ? toJs(info.Env(), *created) : info.Env().Null();
}

Napi::Value SandboxWrap::describe(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), sandbox_.describe());
}

Napi::Value SandboxWrap::waitUntilRunning(const Napi::CallbackInfo& info) {
    Napi::Object o = optionsArg(info, 0);
    WaitOptions options;
    if (auto ms = optInt(o, "timeoutMs")) {
        options.timeout = std::chrono::milliseconds(*ms);
    }
    if (auto ms = optInt(o, "pollIntervalMs")) {
        options.poll_interval = std::chrono::milliseconds(*ms);
    }
    Sandbox sb = sandbox_;
    CancelToken cancel = CancelWrap::from(info[1]);
    return runAsync(
        info.Env(), cancel,
        [sb, options, cancel]() mutable {
            sb.waitUntilRunning(options, cancel);
            return Unit{};
        },
        toUndefined);
}

Napi::Value SandboxWrap::refreshStatus(const Napi::CallbackInfo& info) {
    return callOnPool(info, sandbox_, 0, &Sandbox::refreshStatus, same<SandboxStatus>);
}

Napi::Value SandboxWrap::pause(const Napi::CallbackInfo& info) {
    return callOnPool(info, sandbox_, 0, &Sandbox::pause, toJsString);
}

Napi::Value SandboxWrap::resume(const Napi::CallbackInfo& info) {
    return callOnPool(info, sandbox_, 0, &Sandbox::resume, toJsString);
}

Napi::Value SandboxWrap::terminate(const Napi::CallbackInfo& info) {
    std::optional<std::string> address;
    if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) {
        address = requireString(info[0], "lightningAddress");
    }
    Sandbox sb = sandbox_;
    CancelToken cancel = CancelWrap::from(info[1]);
    return runAsync(
        info.Env(), cancel,
        [sb, address, cancel]() mutable { return sb.terminate(address, cancel); },
        same<TerminateResult>);
}

Napi::Value SandboxWrap::exec(const Napi::CallbackInfo& info) {
    std::string command = requireString(info[0], "command");
    ExecOptions options = execOptions(optionsArg(info, 1));
    Sandbox sb = sandbox_;
    CancelToken cancel = CancelWrap::from(info[2]);
    return runAsync(
        info.Env(), cancel,
        [sb, command, options, cancel]() mutable { return sb.exec(command, options, cancel); },
        same<Execution>);
}

Napi::Value SandboxWrap::execResult(const Napi::CallbackInfo& info) {
    return callOnPool(info, sandbox_, 1, &Sandbox::execResult, same<ExecResult>,
                      requireString(info[0], "executionId"));
}

Napi::Value SandboxWrap::execCancel(const Napi::CallbackInfo& info) {
    return callOnPool(info, sandbox_, 1, &Sandbox::execCancel, toJsString,
                      requireString(info[0], "executionId"));
}

Napi::Value SandboxWrap::execWait(const Napi::CallbackInfo& info) {
    return pollCall(info, &Sandbox::execWait);
}

Napi::Value SandboxWrap::execNext(const Napi::CallbackInfo& info) {
    return pollCall(info, &Sandbox::execNext);
}

// execWait / execNext: (executionId, pollOptions, token).
Napi::Value SandboxWrap::pollCall(const Napi::CallbackInfo& info, Poll poll_fn) {
    Napi::Env env = info.Env();
    std::string id = requireString(info[0], "executionId");
    PollOptions poll;
    std::uint64_t callback_id = pollOptions(env, optionsArg(info, 1), poll);
    Sandbox sb = sandbox_;
    CancelToken cancel = CancelWrap::from(info[2]);
    return runAsync(
        env, cancel,
        [sb, id, poll, cancel, poll_fn]() mutable { return (sb.*poll_fn)(id, poll, cancel); },
        same<ExecResult>, unregister(callback_id));
}

Napi::Value SandboxWrap::writeFile(const Napi::CallbackInfo& info) {
    std::string path = requireString(info[0], "path");
    // Copied here, on the JS thread: the pool thread must not read a JS string.
    std::string content = requireString(info[1], "content");
    Napi::Object o = optionsArg(info, 2);
    WriteFileOptions options;
    if (auto encoding = optString(o, "encoding")) {
        options.encoding = *encoding;
    }
    if (auto create_dirs = optBool(o, "createDirs")) {
        options.create_dirs = *create_dirs;
    }
    Sandbox sb = sandbox_;
    CancelToken cancel = CancelWrap::from(info[3]);
    auto shared = std::make_shared<std::string>(std::move(content));
    return runAsync(
        info.Env(), cancel,
        [sb, path, shared, options, cancel]() mutable {
            return sb.writeFile(path, *shared, options, cancel);
        },
        same<WriteResult>);
}

Napi::Value SandboxWrap::writeFileBytes(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string path = requireString(info[0], "path");
    bool create_dirs = optBool(optionsArg(info, 2), "createDirs").value_or(true);
    Sandbox sb = sandbox_;
    CancelToken cancel = CancelWrap::from(info[3]);
    // The pool thread reads memory that C++ owns, never the caller's array (byte_stage.hpp says
    // why): a ByteStage that node/src filled a slice per event-loop turn, or else a copy made
    // here, which is what small arrays (one slice, < 1 ms) and direct callers get.
    std::shared_ptr<const StagedBytes> staged;
    std::shared_ptr<const std::string> copied;
    if (ByteStageWrap::is(info[1])) {
        staged = ByteStageWrap::take(info[1]);
        // An incomplete stage only arrives when the call was cancelled while staging; the work
        // below then rejects with the cancellation instead of uploading part of the content.
        if (!staged->complete() && !cancel.cancelled()) {
            throw Napi::TypeError::New(env, "the staged content is incomplete");
        }
    } else if (info[1].IsTypedArray() &&
               info[1].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
        auto bytes = info[1].As<Napi::Uint8Array>();
        copied = std::make_shared<const std::string>(reinterpret_cast<const char*>(bytes.Data()),
                                                     bytes.ByteLength());
    } else {
        throw Napi::TypeError::New(env, "content must be a Uint8Array");
    }
    return runAsync(
        env, cancel,
        [sb, path, staged, copied, create_dirs, cancel]() mutable {
            if (staged && !staged->complete()) {
                throw CancelledError({"the upload was cancelled while its content was staged"});
            }
            std::string_view bytes = staged ? staged->view() : std::string_view(*copied);
            return sb.writeFileBytes(path, bytes, create_dirs, cancel);
        },
        same<WriteResult>);
}

Napi::Value SandboxWrap::readFile(const Napi::CallbackInfo& info) {
    std::string path = requireString(info[0], "path");
    Napi::Object o = optionsArg(info, 1);
    ReadFileOptions options;
    if (auto encoding = optString(o, "encoding")) {
        options.encoding = *encoding;
    }
    options.max_bytes = optInt(o, "maxBytes");
    Sandbox sb = sandbox_;
    CancelToken cancel = CancelWrap::from(info[2]);
    return runAsync(
        info.Env(), cancel,
        [sb, path, options, cancel]() mutable { return sb.readFile(path, options, cancel); },
        toJsString);
}

Napi::Value SandboxWrap::readFileBytes(const Napi::CallbackInfo& info) {
    std::string path = requireString(info[0], "path");
    std::optional<std::int64_t> max_bytes = optInt(optionsArg(info, 1), "maxBytes");
    Sandbox sb = sandbox_;
    CancelToken cancel = CancelWrap::from(info[2]);
    return runAsync(
        info.Env(), cancel,
        [sb, path, max_bytes, cancel]() mutable {
            return sb.readFileBytes(path, max_bytes, cancel);
        },
        decodedToBuffer);
}

Napi::Value SandboxWrap::listFiles(const Napi::CallbackInfo& info) {
    Napi::Object o = optionsArg(info, 0);
    ListFilesOptions options;
    if (auto path = optString(o, "path")) {
        options.path = *path;
    }
    options.recursive = optBool(o, "recursive").value_or(false);
    options.max_depth = optInt(o, "maxDepth");
    Sandbox sb = sandbox_;
    CancelToken cancel = CancelWrap::from(info[1]);
    return runAsync(
        info.Env(), cancel,
        [sb, options, cancel]() mutable { return sb.listFiles(options, cancel); },
        [](Napi::Env env, std::vector<FileEntry>& entries) -> Napi::Value {
            Napi::Array arr = Napi::Array::New(env, entries.size());
            for (uint32_t i = 0; i < entries.size(); ++i) {
                arr.Set(i, toJs(env, entries[i]));
            }
            return arr;
        });
}

Napi::Value SandboxWrap::shell(const Napi::CallbackInfo& info) {
    return translateErrors(info.Env(),
                           [&] { return ShellWrap::wrap(info.Env(), sandbox_.shell()); });
}

Napi::Value SandboxWrap::on(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string event = requireString(info[0], "event");
    if (!info[1].IsFunction()) {
        throw Napi::TypeError::New(env, "listener must be a function");
    }
    AddonData& data = AddonData::of(env);
    // Billing events fire on the pool thread of the call that saw them; hop to the JS thread.
    std::function<void(const BillingEvent&)> listener;
    std::uint64_t js_id = registerCallback<BillingEvent>(env, info[1], listener);
    std::uint64_t core_id;
    try {
        core_id = sandbox_.on(event, std::move(listener));
    } catch (...) {
        data.callbacks.remove(js_id);
        throw ErrorInfo::fromCurrentException().toJs(env);
    }
    listeners_[js_id] = core_id;
    return Napi::Number::New(env, static_cast<double>(js_id));
}

Napi::Value SandboxWrap::off(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string event = requireString(info[0], "event");
    auto js_id = static_cast<std::uint64_t>(info[1].As<Napi::Number>().Int64Value());
    auto it = listeners_.find(js_id);
    if (it == listeners_.end()) {
        return Napi::Boolean::New(env, false);
    }
    bool removed = sandbox_.off(event, it->second);
    listeners_.erase(it);
    AddonData::of(env).callbacks.remove(js_id);
    return Napi::Boolean::New(env, removed);
}

} // namespace sockt::node
