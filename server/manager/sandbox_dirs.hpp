// Where sandboxes live on disk (docs/protocol.md §11.2, §11.4): `<data>/sandboxes/<id>` (its home
// and tmp), private to the server's user, and `<data>/trash`. A terminated sandbox's directory
// leaves `sandboxes/` in one rename into the trash, and only then is it deleted, so a kill -9 in
// the middle of a long delete leaves nothing a restart does not finish: startup empties the trash
// and moves aside whatever a terminated record still has on disk. Thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace sockt::server {

class SandboxDirs {
public:
    explicit SandboxDirs(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

    /// `<data>/sandboxes/<id>`.
    std::filesystem::path rootOf(const std::string& sandbox_id) const;
    /// Creates the sandbox's directory (0700, as `sandboxes/` itself) with its `tmp`; the runtime
    /// seeds the home.
    void create(const std::string& sandbox_id) const;
    /// Moves the sandbox's directory into the trash (nothing when it is gone), then deletes it.
    void discard(const std::string& sandbox_id) const;
    /// At startup: tightens `sandboxes/` and every sandbox directory to 0700, moves the
    /// directories of `terminated` sandboxes into the trash and empties it.
    void sweep(const std::vector<std::string>& terminated) const;

private:
    std::filesystem::path trash() const { return data_dir_ / "trash"; }
    /// Renames the directory into the trash under a new name; false when it does not exist.
    bool moveToTrash(const std::string& sandbox_id) const;
    void emptyTrash() const;

    std::filesystem::path data_dir_;
};

} // namespace sockt::server
