#include "byte_stage.hpp"

#include <cstring>
#include <new>
#include <string>

namespace sockt::node {

namespace {
// N-API 8 type tag, so a CancelToken or a sandbox passed by mistake is not taken for a stage.
constexpr napi_type_tag kStageTag = {0x3d5a1f7e2c4b6a90ULL, 0x9e8d7c6b5a4f3e21ULL};

std::size_t sizeArg(const Napi::Value& value, const char* name) {
    if (!value.IsNumber()) {
        throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a number");
    }
    double d = value.As<Napi::Number>().DoubleValue();
    // 2^53: every integer up to it is exact in a double; no array is larger.
    if (!(d >= 0) || d > 9007199254740992.0 ||
        d != static_cast<double>(static_cast<std::size_t>(d))) {
        throw Napi::RangeError::New(value.Env(),
                                    std::string(name) + " must be a non-negative integer");
    }
    return static_cast<std::size_t>(d);
}
} // namespace

StagedBytes::StagedBytes(std::size_t size) : data_(new char[size == 0 ? 1 : size]), size_(size) {}

void StagedBytes::append(const char* bytes, std::size_t length) {
    std::memcpy(data_.get() + filled_, bytes, length);
    filled_ += length;
}

Napi::Function ByteStageWrap::define(Napi::Env env) {
    return DefineClass(env, "ByteStage",
                       {InstanceMethod<&ByteStageWrap::append>("append"),
                        InstanceMethod<&ByteStageWrap::dispose>("dispose"),
                        InstanceAccessor<&ByteStageWrap::filled>("filled")});
}

ByteStageWrap::ByteStageWrap(const Napi::CallbackInfo& info)
    : Napi::ObjectWrap<ByteStageWrap>(info) {
    std::size_t size = sizeArg(info[0], "length");
    try {
        bytes_ = std::make_shared<StagedBytes>(size);
    } catch (const std::bad_alloc&) {
        throw Napi::RangeError::New(info.Env(), "cannot allocate " + std::to_string(size) +
                                                    " bytes to stage the upload");
    }
    napi_type_tag_object(info.Env(), info.This(), &kStageTag);
}

bool ByteStageWrap::is(const Napi::Value& value) {
    bool tagged = false;
    if (value.IsObject()) {
        napi_check_object_type_tag(value.Env(), value, &kStageTag, &tagged);
    }
    return tagged;
}

std::shared_ptr<const StagedBytes> ByteStageWrap::take(const Napi::Value& value) {
    ByteStageWrap* wrap = ByteStageWrap::Unwrap(value.As<Napi::Object>());
    wrap->live(value.Env());
    return std::move(wrap->bytes_);
}

StagedBytes& ByteStageWrap::live(Napi::Env env) {
    if (!bytes_) {
        throw Napi::TypeError::New(env, "this ByteStage was already uploaded or disposed");
    }
    return *bytes_;
}

Napi::Value ByteStageWrap::append(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!info[0].IsTypedArray() ||
        info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
        throw Napi::TypeError::New(env, "content must be a Uint8Array");
    }
    auto view = info[0].As<Napi::Uint8Array>();
    StagedBytes& bytes = live(env);
    std::size_t offset = sizeArg(info[1], "offset");
    std::size_t length = sizeArg(info[2], "length");
    // The view's length is read now, on the JS thread: a buffer detached or shrunk since the
    // previous slice reports its new length here, so the copy never leaves the live bytes.
    std::size_t available = view.ByteLength();
    if (offset > available || length > available - offset) {
        throw Napi::RangeError::New(env, "the content shrank or was detached while being staged");
    }
    if (length > bytes.size() - bytes.filled()) {
        throw Napi::RangeError::New(env, "more bytes than the stage was created for");
    }
    if (length > 0) {
        bytes.append(reinterpret_cast<const char*>(view.Data()) + offset, length);
    }
    return Napi::Number::New(env, static_cast<double>(bytes.filled()));
}

Napi::Value ByteStageWrap::dispose(const Napi::CallbackInfo& info) {
    bytes_.reset();
    return info.Env().Undefined();
}

Napi::Value ByteStageWrap::filled(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(bytes_ ? bytes_->filled() : 0));
}

} // namespace sockt::node
