// INTERNAL: one file of a transfer, between disk and the files routes, never whole in memory on
// the way up and held once (as the answer's base64) on the way down.
#pragma once

#include "client_core.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace sockt::detail::transfer {

/// Sends the local file `local` to `remote` (files/write with base64 encoded from disk slice by
/// slice while sent). `progress(bytes)` hears how much of the file has gone out.
void uploadFile(ClientCore& core, SandboxState& state, const std::string& local,
                const std::string& remote, const std::function<void(std::uint64_t)>& progress,
                const CancelToken& cancel);

/// Fetches `remote` into `local`: decoded in slices into a temporary file beside it (created with
/// the umask's mode), then renamed over `local`. `progress(bytes)` hears the answer arrive (an
/// estimate until the end). Returns the file's size.
std::uint64_t downloadFile(ClientCore& core, SandboxState& state, const std::string& remote,
                           const std::string& local,
                           const std::function<void(std::uint64_t)>& progress,
                           const CancelToken& cancel);

} // namespace sockt::detail::transfer
