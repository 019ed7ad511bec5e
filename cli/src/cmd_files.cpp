// `sockt files write|read|ls` (docs/protocol.md §10.11).
#include "api.hpp"
#include "app.hpp"
#include "tabwriter.hpp"
#include "terminal.hpp"
#include "ticker.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace sockt::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr std::uint64_t kProgressThreshold = 1 << 20; // show progress above 1 MiB

std::string goErrno(int err) {
    std::string s = std::strerror(err);
    if (!s.empty())
        s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

// Reads all of `f`; on a terminal a progress line shows once the input is large.
std::string readAll(std::FILE* f, std::uint64_t expected, const std::string& what) {
    std::string data;
    const bool live = stderrIsTerminal() && expected > kProgressThreshold;
    LiveLine line;
    char buf[1 << 16];
    std::size_t n;
    std::uint64_t since_draw = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
        data.append(buf, n);
        since_draw += n;
        if (live && since_draw >= (1 << 20)) {
            since_draw = 0;
            line.update(progressText("Reading " + what, data.size(), expected));
        }
    }
    if (live)
        line.clear();
    if (std::ferror(f))
        throw std::runtime_error(goErrno(errno));
    return data;
}

// Runs `fn` with an "elapsed" line on a terminal that appears only if the call is slow.
Json withTransferLine(const std::string& label, const std::function<Json()>& fn) {
    if (!stderrIsTerminal())
        return fn();
    LiveLine line;
    Ticker ticker(line, [label](double secs) -> std::string {
        if (secs < 0.5)
            return {};
        char buf[32];
        std::snprintf(buf, sizeof buf, " (%.0fs)", secs);
        return label + buf;
    });
    try {
        Json r = fn();
        ticker.stop();
        line.clear();
        return r;
    } catch (...) {
        ticker.stop();
        line.clear();
        throw;
    }
}

int runWrite(Invocation& inv) {
    const std::string& id = inv.args[0];
    const std::string& remote = inv.args[1];
    const std::string& file = inv.stringFlag("file");
    std::string content;
    if (!file.empty()) {
        std::FILE* f = std::fopen(file.c_str(), "rb");
        if (!f)
            throw CliError("read local file: open " + file + ": " + goErrno(errno));
        struct stat st {};
        std::uint64_t size =
            ::fstat(fileno(f), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
        try {
            content = readAll(f, size, file);
        } catch (const std::runtime_error& e) {
            std::fclose(f);
            throw CliError(std::string("read local file: read ") + file + ": " + e.what());
        }
        std::fclose(f);
    } else {
        struct stat st {};
        std::uint64_t size =
            ::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
        try {
            content = readAll(stdin, size, "stdin");
        } catch (const std::runtime_error& e) {
            throw CliError(std::string("read stdin: read /dev/stdin: ") + e.what());
        }
    }
    Api api(inv);
    api.precheck(id);
    OrderedJson body;
    body["path"] = remote;
    body["content"] = content;
    body["encoding"] = inv.stringFlag("encoding");
    body["create_dirs"] = true;
    const std::string text = body.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    const std::string label = "Uploading " + remote + " (" + humanBytes(content.size()) + ")";
    Json r = withTransferLine(label, [&] {
        return api.dataPlane(
            [&] {
                return api.json(
                    {"POST", "/sandboxes/" + pathSegment(id) + "/files/write", {}, text});
            },
            true);
    });
    if (jsonMode(inv)) {
        printJson(inv, r);
        return 0;
    }
    *inv.err << "Written " << remote << " (" << content.size() << " bytes)\n";
    return 0;
}

int runRead(Invocation& inv) {
    const std::string& id = inv.args[0];
    const std::string& remote = inv.args[1];
    Api api(inv);
    api.precheck(id);
    OrderedJson body;
    body["path"] = remote;
    body["encoding"] = inv.stringFlag("encoding");
    if (inv.intFlag("max-bytes") != 0)
        body["max_bytes"] = inv.intFlag("max-bytes");
    const std::string text = body.dump();
    Json r = withTransferLine("Downloading " + remote, [&] {
        return api.dataPlane([&] {
            return api.json({"POST", "/sandboxes/" + pathSegment(id) + "/files/read", {}, text});
        });
    });
    if (jsonMode(inv)) {
        printJson(inv, r);
        return 0;
    }
    const std::string content = str(r, "content");
    *inv.out << content;
    inv.out->flush();
    return 0;
}

int runLs(Invocation& inv) {
    const std::string& id = inv.args[0];
    const std::string path = inv.args.size() > 1 ? inv.args[1] : ".";
    Api api(inv);
    api.precheck(id);
    Api::Call call{
        "GET", "/sandboxes/" + pathSegment(id) + "/files", {{"path", path}}, std::nullopt};
    if (inv.boolFlag("recursive"))
        call.query.emplace_back("recursive", "true");
    if (inv.intFlag("max-depth") > 0)
        call.query.emplace_back("max_depth", std::to_string(inv.intFlag("max-depth")));
    Json r = api.dataPlane([&] { return api.json(call); });
    if (jsonMode(inv)) {
        printJson(inv, r);
        return 0;
    }
    std::string table;
    if (r.is_object() && r.contains("entries") && r["entries"].is_array()) {
        for (const Json& e : r["entries"]) {
            bool dir = e.contains("is_dir") && e["is_dir"].is_boolean() && e["is_dir"].get<bool>();
            table += std::string(dir ? "d" : "-") + "\t" +
                     std::to_string(static_cast<long long>(num(e, "size"))) + "\t" +
                     str(e, "name") + "\n";
        }
    }
    *inv.out << tabwrite(table);
    return 0;
}

} // namespace

std::unique_ptr<Command> makeFilesCommand() {
    auto group = std::make_unique<Command>("files", "File operations on a sandbox");

    auto write = std::make_unique<Command>(
        "write [sandbox-id] [remote-path]", "Write a file to the sandbox",
        "Write content from stdin or a local file to the sandbox filesystem.");
    write->args = ArgsRule::exact(2);
    write->addFlag("encoding", 0, FlagType::String, "File encoding (utf8 or base64)", "utf8");
    write->addFlag("file", 'f', FlagType::String,
                   "Local file to upload (reads stdin if not provided)");
    write->example =
        "  sockt files write $ID /home/sandbox/app.py --file ./app.py\n"
        "  echo \"Hello World\" | sockt files write $ID /home/sandbox/greeting.txt\n"
        "  base64 image.png | sockt files write $ID /home/sandbox/image.png --encoding base64";
    write->run = runWrite;
    group->add(std::move(write));

    auto read = std::make_unique<Command>("read [sandbox-id] [remote-path]",
                                          "Read a file from the sandbox");
    read->args = ArgsRule::exact(2);
    read->addFlag("encoding", 0, FlagType::String, "File encoding (utf8 or base64)", "utf8");
    read->addFlag("max-bytes", 0, FlagType::Int, "Maximum bytes to read");
    read->example =
        "  sockt files read $ID /home/sandbox/output.txt\n"
        "  sockt files read $ID /home/sandbox/image.png --encoding base64 | base64 -d > image.png\n"
        "  sockt files read $ID /home/sandbox/large.log --max-bytes 1024";
    read->run = runRead;
    group->add(std::move(read));

    auto ls =
        std::make_unique<Command>("ls [sandbox-id] [path]", "List files in a sandbox directory");
    ls->args = ArgsRule::range(1, 2);
    ls->addFlag("max-depth", 0, FlagType::Int, "Max directory depth for recursive listing");
    ls->addFlag("recursive", 'r', FlagType::Bool, "List recursively");
    ls->example = "  sockt files ls $ID\n"
                  "  sockt files ls $ID /home/sandbox/project\n"
                  "  sockt files ls -r --max-depth 2 $ID";
    ls->run = runLs;
    group->add(std::move(ls));
    addTransferCommands(*group);
    return group;
}

} // namespace sockt::cli
