// Crash-safe file replacement for the server's state (docs/protocol.md §11.2: state survives kill
// -9).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sockt::server {

/// Writes `content` to a temporary sibling, fsyncs it, renames it over `path` and fsyncs the
/// directory, so a crash leaves either the old or the new file, never half of one. Throws
/// std::runtime_error on I/O failure.
void writeFileAtomically(const std::filesystem::path& path, std::string_view content);

/// The whole file, or nullopt when it does not exist. Throws std::runtime_error on I/O failure.
std::optional<std::string> readWholeFile(const std::filesystem::path& path);

} // namespace sockt::server
