// ByteStage: native memory that large Uint8Array uploads are copied into, a slice per event-loop
// turn, before a pool thread reads them (bench/FINDINGS.md N1).
//
// Why not let the pool thread read the caller's Uint8Array in place (a Napi::Reference held until
// the call settles, as fs.write does)? A reference keeps the JS object alive, not its memory:
// - transferring the buffer (postMessage, structuredClone(…, {transfer}), ArrayBuffer#transfer)
//   detaches it and moves the backing store to another ArrayBuffer, which frees it when it is
//   collected or its worker ends; the referenced, now detached, buffer keeps nothing;
// - shrinking a resizable ArrayBuffer makes V8 protect the tail pages (PROT_NONE);
// - a SharedArrayBuffer can be written by another thread at any time.
// Node-API has no way to pin a backing store (napi_is_detached_arraybuffer only reports a detach
// that already happened, and a pool thread cannot ask it), so reading the caller's memory off
// the JS thread can read freed memory or fault. Copying on the JS thread is safe (detach, resize
// and our copy all run there, never at the same time) but one 32 MiB copy blocks the loop for
// 25–160 ms, mostly page faults of the fresh destination. So node/src copies in slices, one per
// event-loop turn, into this stage; the destination is C++ memory shared with the pool thread,
// which outlives the JS object, a detach of the caller's buffer and the environment itself.
#pragma once

#include <cstddef>
#include <memory>
#include <napi.h>
#include <string_view>

namespace sockt::node {

/// Bytes owned by C++; the pool thread keeps them alive through a shared_ptr.
class StagedBytes {
public:
    explicit StagedBytes(std::size_t size);
    std::size_t size() const { return size_; }
    std::size_t filled() const { return filled_; }
    bool complete() const { return filled_ == size_; }
    /// JS thread, while staging: appends `bytes`; the caller checked they fit.
    void append(const char* bytes, std::size_t length);
    /// Valid once complete(); no writer is left then.
    std::string_view view() const { return {data_.get(), size_}; }

private:
    // Not value-initialized: zero-filling would fault every page in at once on the JS thread,
    // which is the cost the slices exist to spread.
    std::unique_ptr<char[]> data_;
    std::size_t size_;
    std::size_t filled_ = 0;
};

/// JS class ByteStage(length) with append(view, offset, length) and dispose(): the private surface
/// behind Sandbox.writeFile for large arrays (node/src/staging.ts). JS thread only.
class ByteStageWrap : public Napi::ObjectWrap<ByteStageWrap> {
public:
    static Napi::Function define(Napi::Env env);
    explicit ByteStageWrap(const Napi::CallbackInfo& info);

    static bool is(const Napi::Value& value);
    /// Moves the bytes out of the ByteStage `value` (it is empty afterwards), so they are freed
    /// as soon as the upload that took them ends rather than when the collector finds the
    /// wrapper. Throws a TypeError when the stage was already taken or disposed.
    static std::shared_ptr<const StagedBytes> take(const Napi::Value& value);

private:
    Napi::Value append(const Napi::CallbackInfo& info);
    Napi::Value dispose(const Napi::CallbackInfo& info);
    Napi::Value filled(const Napi::CallbackInfo& info);
    StagedBytes& live(Napi::Env env);

    std::shared_ptr<StagedBytes> bytes_;
};

} // namespace sockt::node
