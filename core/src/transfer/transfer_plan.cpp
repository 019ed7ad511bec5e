// Transfer plans (see transfer_plan.hpp).
#include "transfer/transfer_plan.hpp"

#include "sockt/errors.hpp"
#include "sockt/protocol.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <system_error>

namespace sockt::detail::transfer {
namespace fs = std::filesystem;

namespace {

constexpr unsigned kWrittenFileMode = 0644; // docs/protocol.md §5.1
constexpr unsigned kCreatedDirMode = 0755;
// Longest command we build (bash and the kernel accept far more; this keeps each exec small).
constexpr std::size_t kMaxCommand = 64 * 1024;

[[noreturn]] void invalid(const std::string& message) {
    throw InvalidArgumentError({message, "", 0});
}

unsigned modeOf(const fs::file_status& st) {
    return static_cast<unsigned>(st.permissions()) & 07777;
}

// Appends `prefix` + the quoted paths to `out`, starting a new command when one would get long.
void addCommands(std::vector<std::string>& out, const std::string& prefix,
                 const std::vector<std::string>& paths) {
    std::string current;
    for (const auto& p : paths) {
        std::string quoted = " " + shellQuote(commandPath(p));
        if (!current.empty() && current.size() + quoted.size() > kMaxCommand) {
            out.push_back(current);
            current.clear();
        }
        if (current.empty())
            current = prefix;
        current += quoted;
    }
    if (!current.empty())
        out.push_back(current);
}

} // namespace

std::string joinPath(const std::string& parent, const std::string& name) {
    if (name.empty())
        return parent;
    if (parent.empty())
        return name;
    return parent.back() == '/' ? parent + name : parent + "/" + name;
}

std::string commandPath(const std::string& remote) {
    const std::string home(protocol::kSandboxHome);
    std::string rel = remote;
    if (rel == home)
        rel.clear();
    else if (rel.compare(0, home.size() + 1, home + "/") == 0)
        rel.erase(0, home.size() + 1);
    while (!rel.empty() && rel.front() == '/') // other absolute paths: the server refused them
        rel.erase(0, 1);
    return rel.empty() ? std::string(".") : "./" + rel;
}

std::string shellQuote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

Plan planUpload(const std::string& local, const std::string& remote) {
    std::error_code ec;
    const fs::file_status root = fs::status(local, ec);
    if (ec || !fs::exists(root))
        invalid("upload: no such local file or directory: " + local);
    Plan plan;
    if (fs::is_regular_file(root)) {
        plan.files.push_back(
            {local, remote, static_cast<std::uint64_t>(fs::file_size(local)), modeOf(root)});
        return plan;
    }
    if (!fs::is_directory(root))
        invalid("upload: " + local + " is neither a regular file nor a directory");
    plan.directory = true;
    plan.directories.push_back({local, remote, 0, modeOf(root)});
    std::map<std::string, bool> has_files; // remote dir → holds a file (its write creates it)
    has_files[remote] = false;
    // Symlinks to directories are not followed (no cycles); symlinks to files are.
    fs::recursive_directory_iterator it(local, fs::directory_options::none, ec);
    if (ec)
        invalid("upload: cannot read " + local + ": " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            invalid("upload: cannot read below " + local + ": " + ec.message());
        const fs::path& path = it->path();
        const std::string rel = path.lexically_relative(local).generic_string();
        const std::string target = joinPath(remote, rel);
        std::error_code sec;
        const fs::file_status link = it->symlink_status(sec);
        const fs::file_status st = it->status(sec);
        if (fs::is_directory(st)) {
            if (fs::is_symlink(link)) {
                it.disable_recursion_pending();
                continue;
            }
            plan.directories.push_back({path.string(), target, 0, modeOf(st)});
            has_files.emplace(target, false);
        } else if (fs::is_regular_file(st)) {
            const auto size = static_cast<std::uint64_t>(fs::file_size(path, sec));
            plan.files.push_back({path.string(), target, size, modeOf(st)});
            // Every ancestor up to the root is created by this file's write.
            for (fs::path parent = fs::path(target).parent_path();; parent = parent.parent_path()) {
                auto found = has_files.find(parent.generic_string());
                if (found == has_files.end() || found->second)
                    break;
                found->second = true;
            }
        }
    }
    for (const auto& dir : plan.directories)
        if (!has_files[dir.remote])
            plan.empty_directories.push_back(dir);
    return plan;
}

Plan planDownload(const FileListing& listing, const std::string& remote,
                  const std::string& local) {
    if (listing.truncated)
        invalid("download: " + remote + " holds more than " +
                std::to_string(protocol::kMaxListEntries) +
                " entries, the most one listing returns; download its subdirectories one by one");
    Plan plan;
    plan.directory = true;
    plan.directories.push_back({local, remote, 0, 0});
    for (const auto& e : listing.entries) {
        if (e.is_symlink || e.name.empty())
            continue;
        Entry entry{joinPath(local, e.name), joinPath(remote, e.name),
                    static_cast<std::uint64_t>(std::max<std::int64_t>(0, e.size)), 0};
        if (e.is_dir) {
            plan.directories.push_back(entry);
        } else if (e.is_file) {
            if (e.size > protocol::kMaxReadBytes)
                invalid("download: " + entry.remote + " is " + std::to_string(e.size) +
                        " bytes, more than the 48 MiB a read returns");
            plan.files.push_back(entry);
        }
    }
    // Entries are sorted by name (§5.3), so a directory comes before what is inside it.
    return plan;
}

std::vector<std::string> finishingCommands(const Plan& plan, bool modes) {
    std::vector<std::string> out;
    std::vector<std::string> empty;
    for (const auto& d : plan.empty_directories)
        empty.push_back(d.remote);
    addCommands(out, "mkdir -p --", empty);
    if (!modes)
        return out;
    std::map<unsigned, std::vector<std::string>> by_mode;
    for (const auto& f : plan.files)
        if (f.mode != 0 && f.mode != kWrittenFileMode)
            by_mode[f.mode].push_back(f.remote);
    // Directories last and deepest first: a directory without write permission for its owner
    // must not stop what goes inside it.
    std::vector<const Entry*> dirs;
    for (const auto& d : plan.directories)
        if (d.mode != 0 && d.mode != kCreatedDirMode)
            dirs.push_back(&d);
    for (const auto& [mode, paths] : by_mode) {
        char octal[8];
        std::snprintf(octal, sizeof octal, "%o", mode);
        addCommands(out, std::string("chmod ") + octal + " --", paths);
    }
    for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
        char octal[8];
        std::snprintf(octal, sizeof octal, "%o", (*it)->mode);
        addCommands(out, std::string("chmod ") + octal + " --", {(*it)->remote});
    }
    return out;
}

std::string modeQueryCommand(const std::string& remote, bool directory) {
    if (directory)
        return "find " + shellQuote(commandPath(remote)) + " -printf '%m %P\\0'";
    return "find " + shellQuote(commandPath(remote)) + " -maxdepth 0 -printf '%m'";
}

std::vector<std::pair<std::string, unsigned>> parseModes(const std::string& output,
                                                         bool directory) {
    std::vector<std::pair<std::string, unsigned>> out;
    if (!directory) {
        if (!output.empty())
            out.emplace_back("", static_cast<unsigned>(std::stoul(output, nullptr, 8)));
        return out;
    }
    std::size_t pos = 0;
    while (pos < output.size()) {
        std::size_t end = output.find('\0', pos);
        if (end == std::string::npos)
            end = output.size();
        const std::string record = output.substr(pos, end - pos);
        const std::size_t space = record.find(' ');
        if (space != std::string::npos && space > 0) {
            const auto mode = std::stoul(record.substr(0, space), nullptr, 8);
            out.emplace_back(record.substr(space + 1), static_cast<unsigned>(mode));
        }
        pos = end + 1;
    }
    return out;
}

} // namespace sockt::detail::transfer
