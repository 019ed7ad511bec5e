// Crash-safe file replacement for the server's state (docs/protocol.md §11.2: state survives kill
// -9).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sockt::server {

/// What a write must survive. `Machine`: a crash of the machine too (the file and the directory
/// are fsynced). `Process`: a crash or kill -9 of the server, not a power loss: the rename alone
/// puts the file in place in the kernel, and no fsync delays the caller.
enum class Durability { Machine, Process };

/// Writes `content` to a temporary sibling, renames it over `path` (fsyncing the file before and
/// the directory after for Durability::Machine), so a crash leaves either the old or the new
/// file, never half of one. Throws std::runtime_error on I/O failure.
void writeFileAtomically(const std::filesystem::path& path, std::string_view content,
                         Durability durability = Durability::Machine);

/// The whole file, or nullopt when it does not exist. Throws std::runtime_error on I/O failure.
std::optional<std::string> readWholeFile(const std::filesystem::path& path);

} // namespace sockt::server
