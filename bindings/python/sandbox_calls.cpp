// The network calls of sockt._sockt.Sandbox (official reference "Sandbox"), each defined once
// and bound twice by defDual: blocking (GIL released, Ctrl-C honoured) and `_async` for asyncio.
#include "bindings.hpp"
#include "convert.hpp"
#include "dual_def.hpp"

#include <new>
#include <pybind11/stl.h>
#include <string_view>

namespace sockt::python {

namespace {

ExecOptions execOptions(std::optional<std::string> working_dir,
                        std::optional<std::int64_t> timeout_ms) {
    ExecOptions o;
    o.working_dir = std::move(working_dir);
    o.timeout_ms = timeout_ms;
    return o;
}

ReadFileOptions readOptions(const std::string& encoding, std::optional<std::int64_t> max_bytes) {
    ReadFileOptions o;
    o.encoding = encoding;
    o.max_bytes = max_bytes;
    return o;
}

// Arguments not given (None) keep the core's defaults (protocol.hpp) and the core checks them.
PollOptions pollOptions(std::optional<double> poll_interval, std::optional<double> timeout) {
    PollOptions p;
    setSeconds(p.poll_interval, poll_interval, "poll_interval");
    setSeconds(p.timeout, timeout, "timeout");
    return p;
}

/// The bytes of a write_file_bytes argument, valid while the GIL is released (bench/FINDINGS.md
/// P1). Constructed with the GIL held.
class BytesArg {
public:
    explicit BytesArg(const py::object& data) {
        PyObject* obj = data.ptr();
        if (PyBytes_Check(obj)) {
            // Immutable, and `owner_` holds a reference for the call: read in place, no copy.
            owner_ = data;
            view_ = {PyBytes_AS_STRING(obj), static_cast<std::size_t>(PyBytes_GET_SIZE(obj))};
            return;
        }
        if (PyUnicode_Check(obj)) {
            throw py::type_error("data must be bytes-like (bytes, bytearray, memoryview), not str: "
                                 "encode it, or use write_file() for text");
        }
        if (!PyObject_CheckBuffer(obj)) {
            throw py::type_error(std::string("data must be bytes-like (bytes, bytearray, "
                                             "memoryview), not ") +
                                 Py_TYPE(obj)->tp_name);
        }
        // A bytearray, memoryview, array or mmap can be written or resized by another thread
        // once the GIL is released: copy it now, under the GIL. PyBUF_FULL_RO accepts
        // non-contiguous views too; they are copied in C order, as bytes(data) would.
        Py_buffer buffer;
        if (PyObject_GetBuffer(obj, &buffer, PyBUF_FULL_RO) != 0) {
            throw py::error_already_set();
        }
        const auto length = static_cast<std::size_t>(buffer.len);
        copy_.reset(new char[length == 0 ? 1 : length]); // not zero-filled: overwritten next
        int rc = PyBuffer_ToContiguous(copy_.get(), &buffer, buffer.len, 'C');
        PyBuffer_Release(&buffer);
        if (rc != 0) {
            throw py::error_already_set();
        }
        view_ = {copy_.get(), length};
    }

    std::string_view view() const { return view_; }
    /// Hands the reference that keeps in-place bytes alive to the caller (asyncio: it is then
    /// dropped on the loop's thread); None when the bytes were copied.
    py::object releaseOwner() { return owner_ ? std::move(owner_) : py::none(); }

private:
    py::object owner_;
    std::unique_ptr<char[]> copy_;
    std::string_view view_;
};

struct ToPy {
    template <class T> py::object operator()(const T& v) const { return toPy(v); }
};

} // namespace

void bindSandboxCalls(py::class_<Sandbox>& cls) {
    defDual(
        cls, "wait_until_running",
        [](const CancelToken& t, Sandbox& s, std::optional<double> timeout,
           std::optional<double> poll_interval) {
            WaitOptions o;
            setSeconds(o.timeout, timeout, "timeout");
            setSeconds(o.poll_interval, poll_interval, "poll_interval");
            s.waitUntilRunning(o, t);
        },
        AsIs{}, py::arg("timeout") = py::none(), py::arg("poll_interval") = py::none());
    defDual(
        cls, "refresh_status", [](const CancelToken& t, Sandbox& s) { return s.refreshStatus(t); },
        ToPy{});
    defDual(
        cls, "pause", [](const CancelToken& t, Sandbox& s) { return s.pause(t); }, AsIs{});
    defDual(
        cls, "resume", [](const CancelToken& t, Sandbox& s) { return s.resume(t); }, AsIs{});
    defDual(
        cls, "terminate",
        [](const CancelToken& t, Sandbox& s, const std::optional<std::string>& address) {
            return s.terminate(address, t);
        },
        [](const TerminateResult& r) { return answerToPy(r.raw_text, r.raw); },
        py::arg("lightning_address") = py::none());
    defDual(
        cls, "exec",
        [](const CancelToken& t, Sandbox& s, const std::string& command,
           const std::optional<std::string>& working_dir,
           const std::optional<std::int64_t>& timeout_ms) {
            return s.exec(command, execOptions(working_dir, timeout_ms), t);
        },
        ToPy{}, py::arg("command"), py::arg("working_dir") = py::none(),
        py::arg("timeout_ms") = py::none());
    defDual(
        cls, "exec_result",
        [](const CancelToken& t, Sandbox& s, const std::string& execution_id) {
            return s.execResult(execution_id, t);
        },
        ToPy{}, py::arg("execution_id"));
    defDual(
        cls, "exec_cancel",
        [](const CancelToken& t, Sandbox& s, const std::string& execution_id) {
            return s.execCancel(execution_id, t);
        },
        AsIs{}, py::arg("execution_id"));
    // exec_wait (to the end) and exec_next (the next output): the same arguments.
    using Poll = ExecResult (Sandbox::*)(const std::string&, const PollOptions&,
                                         const CancelToken&);
    for (auto [name, poll] : {std::pair<const char*, Poll>{"exec_wait", &Sandbox::execWait},
                              std::pair<const char*, Poll>{"exec_next", &Sandbox::execNext}}) {
        defDual(
            cls, name,
            [poll](const CancelToken& t, Sandbox& s, const std::string& execution_id,
                   std::optional<double> poll_interval, std::optional<double> timeout) {
                return (s.*poll)(execution_id, pollOptions(poll_interval, timeout), t);
            },
            ToPy{}, py::arg("execution_id"), py::arg("poll_interval") = py::none(),
            py::arg("timeout") = py::none());
    }
    cls.def(
        "exec_sync",
        [](Sandbox& s, const std::string& command, std::optional<std::string> working_dir,
           std::optional<std::int64_t> timeout_ms, std::optional<double> poll_interval,
           std::optional<double> timeout, py::object on_output) {
            auto o = execOptions(std::move(working_dir), timeout_ms);
            auto p = pollOptions(poll_interval, timeout);
            BlockingCall call;
            if (!on_output.is_none()) {
                // Runs on this thread between polls, with the GIL taken back for it.
                SharedPyObject fn(std::move(on_output));
                p.on_output = [&call, fn](const OutputChunk& c) {
                    invokeOrCancel(call, fn, [&] { return py::object(toPy(c)); });
                };
            }
            return toPy(
                call.run([&](const CancelToken& t) { return s.execSync(command, o, p, t); }));
        },
        py::arg("command"), py::arg("working_dir") = py::none(),
        py::arg("timeout_ms") = py::none(), py::arg("poll_interval") = py::none(),
        py::arg("timeout") = py::none(), py::arg("on_output") = py::none());
    defDual(
        cls, "write_file",
        [](const CancelToken& t, Sandbox& s, const std::string& path, const std::string& content,
           const std::string& encoding, bool create_dirs) {
            WriteFileOptions o;
            o.encoding = encoding;
            o.create_dirs = create_dirs;
            return s.writeFile(path, content, o, t);
        },
        [](const WriteResult& r) { return answerToPy(r.raw_text, r.raw); }, py::arg("path"),
        py::arg("content"), py::arg("encoding") = "utf8", py::arg("create_dirs") = true);
    cls.def(
        "write_file_bytes",
        [](Sandbox& s, const std::string& path, const py::object& data, bool create_dirs) {
            BytesArg bytes(data);
            BlockingCall call;
            auto r = call.run([&](const CancelToken& t) {
                return s.writeFileBytes(path, bytes.view(), create_dirs, t);
            });
            return answerToPy(r.raw_text, r.raw);
        },
        py::arg("path"), py::arg("data"), py::arg("create_dirs") = true);
    cls.def(
        "write_file_bytes_async",
        [](Sandbox& s, const std::string& path, const py::object& data, bool create_dirs,
           const std::shared_ptr<LoopBridge>& bridge, py::object done) {
            auto bytes = std::make_shared<BytesArg>(data);
            py::object keep = py::make_tuple(py::cast(&s, py::return_value_policy::reference),
                                             bytes->releaseOwner());
            return startAsync(
                bridge, std::move(done), std::move(keep),
                [&s, path, bytes, create_dirs](const CancelToken& t) {
                    return s.writeFileBytes(path, bytes->view(), create_dirs, t);
                },
                [](const WriteResult& r) { return answerToPy(r.raw_text, r.raw); });
        },
        py::arg("path"), py::arg("data"), py::arg("create_dirs"), py::arg("bridge"),
        py::arg("done"));
    defDual(
        cls, "read_file",
        [](const CancelToken& t, Sandbox& s, const std::string& path, const std::string& encoding,
           const std::optional<std::int64_t>& max_bytes) {
            return s.readFile(path, readOptions(encoding, max_bytes), t);
        },
        AsIs{}, py::arg("path"), py::arg("encoding") = "utf8", py::arg("max_bytes") = py::none());
    cls.def(
        "read_file_bytes",
        [](Sandbox& s, const std::string& path, std::optional<std::int64_t> max_bytes) {
            // Decoded straight into the bytes object (no second file-sized buffer): it is
            // made under the GIL once the size is known, then filled without it.
            py::object result;
            BlockingCall call;
            const std::size_t written = call.run([&](const CancelToken& t) {
                return s.readFileBytesInto(
                    path, max_bytes,
                    [&result](std::size_t n) -> char* {
                        py::gil_scoped_acquire gil;
                        PyObject* raw =
                            PyBytes_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(n));
                        if (raw == nullptr) {
                            PyErr_Clear();
                            throw std::bad_alloc();
                        }
                        result = py::reinterpret_steal<py::object>(raw);
                        return PyBytes_AS_STRING(raw);
                    },
                    t);
            });
            PyObject* raw = result.release().ptr();
            // Whitespace or early padding in the text decodes to fewer bytes than allotted;
            // the object is still private to us, so it may shrink in place.
            if (static_cast<std::size_t>(PyBytes_GET_SIZE(raw)) != written &&
                _PyBytes_Resize(&raw, static_cast<Py_ssize_t>(written)) < 0)
                throw py::error_already_set();
            return py::reinterpret_steal<py::bytes>(raw);
        },
        py::arg("path"), py::arg("max_bytes") = py::none());
    cls.def(
        "read_file_bytes_async",
        [](Sandbox& s, const std::string& path, std::optional<std::int64_t> max_bytes,
           const std::shared_ptr<LoopBridge>& bridge, py::object done) {
            // On an I/O thread the GIL is not ours to take for the bytes object: the content is
            // decoded into a string there and copied into bytes on the loop's thread.
            return startAsync(
                bridge, std::move(done), py::cast(&s, py::return_value_policy::reference),
                [&s, path, max_bytes](const CancelToken& t) {
                    return s.readFileBytes(path, max_bytes, t);
                },
                [](const std::string& data) { return py::object(py::bytes(data)); });
        },
        py::arg("path"), py::arg("max_bytes"), py::arg("bridge"), py::arg("done"));
    defDual(
        cls, "read_file_result",
        [](const CancelToken& t, Sandbox& s, const std::string& path, const std::string& encoding,
           const std::optional<std::int64_t>& max_bytes) {
            return s.readFileResult(path, readOptions(encoding, max_bytes), t);
        },
        ToPy{}, py::arg("path"), py::arg("encoding") = "utf8", py::arg("max_bytes") = py::none());
    defDual(
        cls, "list_files",
        [](const CancelToken& t, Sandbox& s, const std::string& path, bool recursive,
           const std::optional<std::int64_t>& max_depth) {
            ListFilesOptions o;
            o.path = path;
            o.recursive = recursive;
            o.max_depth = max_depth;
            return s.listFiles(o, t);
        },
        [](const std::vector<FileEntry>& entries) {
            py::list out;
            for (const auto& e : entries)
                out.append(toPy(e));
            return py::object(std::move(out));
        },
        py::arg("path") = ".", py::arg("recursive") = false, py::arg("max_depth") = py::none());
}

} // namespace sockt::python
