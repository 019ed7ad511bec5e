// INTERNAL: what an upload or a download moves — the files and directories of the source tree
// with their paths on both sides — and the shell commands for what the file routes cannot do
// (empty directories, mode bits).
#pragma once

#include "sockt/models.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace sockt::detail::transfer {

struct Entry {
    std::string local;  // local path
    std::string remote; // API path (docs/protocol.md §1.6)
    std::uint64_t size = 0;
    unsigned mode = 0;  // permission bits; 0 = unknown
};

struct Plan {
    bool directory = false;             // the source is a directory (root included below)
    std::vector<Entry> files;
    std::vector<Entry> directories;     // parents before children
    std::vector<Entry> empty_directories; // upload: directories no file write creates
};

/// The local file or tree at `local`, mapped below `remote` (`local` itself maps to `remote`).
/// Throws InvalidArgumentError when `local` does not exist or is neither a file nor a directory.
Plan planUpload(const std::string& local, const std::string& remote);

/// A remote tree from its recursive listing (names relative to `remote`), mapped below `local`.
/// Throws when the listing was truncated or a file exceeds what a read can return.
Plan planDownload(const FileListing& listing, const std::string& remote, const std::string& local);

/// `parent` + "/" + `name` for API paths and local paths (no doubled slash).
std::string joinPath(const std::string& parent, const std::string& name);

/// The API path as a command running in the home sees it: relative, starting with "./" (a name
/// starting with "-" is then no option), e.g. `/home/sandbox/a b` → `./a b`.
std::string commandPath(const std::string& remote);

/// `s` in single quotes for bash.
std::string shellQuote(const std::string& s);

/// Commands (each well under the argument limits) that create `plan`'s empty directories and,
/// with `modes`, set every mode that differs from what a write leaves (0644 files, 0755
/// directories). Empty when there is nothing to do.
std::vector<std::string> finishingCommands(const Plan& plan, bool modes);

/// A `find` command printing `<octal mode> <path relative to remote>` NUL-terminated for every
/// entry below the remote directory, or the mode alone for a single file.
std::string modeQueryCommand(const std::string& remote, bool directory);

/// Parses modeQueryCommand's output into (relative path, mode) pairs ("" for a single file).
std::vector<std::pair<std::string, unsigned>> parseModes(const std::string& output, bool directory);

} // namespace sockt::detail::transfer
