// sockt._sockt.Sandbox: one sandbox handle (official reference "Sandbox"). Every network call runs
// through BlockingCall (GIL released, Ctrl-C honoured); event listeners take the GIL themselves.
#include "sockt/sandbox.hpp"

#include "bindings.hpp"
#include "convert.hpp"
#include "sockt/shell.hpp"

#include <memory>
#include <new>
#include <pybind11/stl.h>
#include <string_view>

namespace sockt::python {

namespace {

template <class F> auto blocking(F&& f) {
    BlockingCall call;
    return call.run(std::forward<F>(f));
}

ExecOptions execOptions(std::optional<std::string> working_dir,
                        std::optional<std::int64_t> timeout_ms) {
    ExecOptions o;
    o.working_dir = std::move(working_dir);
    o.timeout_ms = timeout_ms;
    return o;
}

PollOptions pollOptions(double poll_interval, std::optional<double> timeout) {
    PollOptions p;
    p.poll_interval = secondsToDuration(poll_interval, "poll_interval");
    p.timeout = secondsToDuration(timeout, "timeout");
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

private:
    py::object owner_;
    std::unique_ptr<char[]> copy_;
    std::string_view view_;
};

} // namespace

void bindSandbox(py::module_& m) {
    py::class_<Sandbox>(m, "Sandbox", "Native sandbox handle; copies share state. Thread-safe.")
        .def_property_readonly("id", [](const Sandbox& s) { return s.id(); })
        .def_property_readonly("status",
                               [](const Sandbox& s) {
                                   py::gil_scoped_release release;
                                   return s.status();
                               })
        .def_property_readonly("pending_invoice",
                               [](const Sandbox& s) {
                                   std::optional<PendingInvoice> p;
                                   {
                                       py::gil_scoped_release release;
                                       p = s.pendingInvoice();
                                   }
                                   return toPy(p);
                               })
        .def_property_readonly("has_sandbox_token",
                               [](const Sandbox& s) {
                                   py::gil_scoped_release release;
                                   return s.sandboxToken().has_value();
                               })
        .def_property_readonly("sandbox_token",
                               [](const Sandbox& s) {
                                   py::gil_scoped_release release;
                                   return s.sandboxToken();
                               })
        .def_property_readonly("created",
                               [](const Sandbox& s) -> py::object {
                                   std::optional<CreatedSandbox> c;
                                   {
                                       py::gil_scoped_release release;
                                       c = s.created();
                                   }
                                   if (!c)
                                       return py::none();
                                   return toPy(*c);
                               })
        .def_property_readonly("last_status",
                               [](const Sandbox& s) -> py::object {
                                   std::optional<SandboxStatus> st;
                                   {
                                       py::gil_scoped_release release;
                                       st = s.lastStatus();
                                   }
                                   if (!st)
                                       return py::none();
                                   return toPy(*st);
                               })
        .def(
            "wait_until_running",
            [](Sandbox& s, double timeout, double poll_interval) {
                WaitOptions o;
                o.timeout = secondsToDuration(timeout, "timeout");
                o.poll_interval = secondsToDuration(poll_interval, "poll_interval");
                blocking([&](const CancelToken& t) { s.waitUntilRunning(o, t); });
            },
            py::arg("timeout") = 120.0, py::arg("poll_interval") = 2.0)
        .def("refresh_status",
             [](Sandbox& s) {
                 return toPy(blocking([&](const CancelToken& t) { return s.refreshStatus(t); }));
             })
        .def("pause",
             [](Sandbox& s) { return blocking([&](const CancelToken& t) { return s.pause(t); }); })
        .def("resume",
             [](Sandbox& s) { return blocking([&](const CancelToken& t) { return s.resume(t); }); })
        .def(
            "terminate",
            [](Sandbox& s, std::optional<std::string> lightning_address) {
                auto r = blocking(
                    [&](const CancelToken& t) { return s.terminate(lightning_address, t); });
                return jsonToPy(r.raw);
            },
            py::arg("lightning_address") = py::none())
        .def(
            "exec",
            [](Sandbox& s, const std::string& command, std::optional<std::string> working_dir,
               std::optional<std::int64_t> timeout_ms) {
                auto o = execOptions(std::move(working_dir), timeout_ms);
                return toPy(blocking([&](const CancelToken& t) { return s.exec(command, o, t); }));
            },
            py::arg("command"), py::arg("working_dir") = py::none(),
            py::arg("timeout_ms") = py::none())
        .def(
            "exec_result",
            [](Sandbox& s, const std::string& execution_id) {
                return toPy(
                    blocking([&](const CancelToken& t) { return s.execResult(execution_id, t); }));
            },
            py::arg("execution_id"))
        .def(
            "exec_cancel",
            [](Sandbox& s, const std::string& execution_id) {
                return blocking(
                    [&](const CancelToken& t) { return s.execCancel(execution_id, t); });
            },
            py::arg("execution_id"))
        .def(
            "exec_wait",
            [](Sandbox& s, const std::string& execution_id, double poll_interval,
               std::optional<double> timeout) {
                auto p = pollOptions(poll_interval, timeout);
                return toPy(
                    blocking([&](const CancelToken& t) { return s.execWait(execution_id, p, t); }));
            },
            py::arg("execution_id"), py::arg("poll_interval") = 0.5,
            py::arg("timeout") = py::none())
        .def(
            "exec_sync",
            [](Sandbox& s, const std::string& command, std::optional<std::string> working_dir,
               std::optional<std::int64_t> timeout_ms, double poll_interval,
               std::optional<double> timeout) {
                auto o = execOptions(std::move(working_dir), timeout_ms);
                auto p = pollOptions(poll_interval, timeout);
                return toPy(
                    blocking([&](const CancelToken& t) { return s.execSync(command, o, p, t); }));
            },
            py::arg("command"), py::arg("working_dir") = py::none(),
            py::arg("timeout_ms") = py::none(), py::arg("poll_interval") = 0.5,
            py::arg("timeout") = py::none())
        .def(
            "write_file",
            [](Sandbox& s, const std::string& path, const std::string& content,
               const std::string& encoding, bool create_dirs) {
                WriteFileOptions o;
                o.encoding = encoding;
                o.create_dirs = create_dirs;
                auto r = blocking(
                    [&](const CancelToken& t) { return s.writeFile(path, content, o, t); });
                return jsonToPy(r.raw);
            },
            py::arg("path"), py::arg("content"), py::arg("encoding") = "utf8",
            py::arg("create_dirs") = true)
        .def(
            "write_file_bytes",
            [](Sandbox& s, const std::string& path, const py::object& data, bool create_dirs) {
                BytesArg bytes(data);
                auto r = blocking([&](const CancelToken& t) {
                    return s.writeFileBytes(path, bytes.view(), create_dirs, t);
                });
                return jsonToPy(r.raw);
            },
            py::arg("path"), py::arg("data"), py::arg("create_dirs") = true)
        .def(
            "read_file",
            [](Sandbox& s, const std::string& path, const std::string& encoding,
               std::optional<std::int64_t> max_bytes) {
                ReadFileOptions o;
                o.encoding = encoding;
                o.max_bytes = max_bytes;
                return blocking([&](const CancelToken& t) { return s.readFile(path, o, t); });
            },
            py::arg("path"), py::arg("encoding") = "utf8", py::arg("max_bytes") = py::none())
        .def(
            "read_file_bytes",
            [](Sandbox& s, const std::string& path, std::optional<std::int64_t> max_bytes) {
                // Decoded straight into the bytes object (no second file-sized buffer): it is
                // made under the GIL once the size is known, then filled without it.
                py::object result;
                const std::size_t written = blocking([&](const CancelToken& t) {
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
            py::arg("path"), py::arg("max_bytes") = py::none())
        .def(
            "read_file_result",
            [](Sandbox& s, const std::string& path, const std::string& encoding,
               std::optional<std::int64_t> max_bytes) {
                ReadFileOptions o;
                o.encoding = encoding;
                o.max_bytes = max_bytes;
                return toPy(
                    blocking([&](const CancelToken& t) { return s.readFileResult(path, o, t); }));
            },
            py::arg("path"), py::arg("encoding") = "utf8", py::arg("max_bytes") = py::none())
        .def(
            "list_files",
            [](Sandbox& s, const std::string& path, bool recursive,
               std::optional<std::int64_t> max_depth) {
                ListFilesOptions o;
                o.path = path;
                o.recursive = recursive;
                o.max_depth = max_depth;
                auto entries = blocking([&](const CancelToken& t) { return s.listFiles(o, t); });
                py::list out;
                for (const auto& e : entries)
                    out.append(toPy(e));
                return out;
            },
            py::arg("path") = ".", py::arg("recursive") = false, py::arg("max_depth") = py::none())
        .def("shell",
             [](const Sandbox& s) {
                 py::gil_scoped_release release;
                 return std::unique_ptr<ShellSession, ReleaseGilDelete<ShellSession>>(
                     new ShellSession(s.shell()));
             })
        .def(
            "on",
            [](Sandbox& s, const std::string& event, py::object callback) {
                SharedPyObject fn(std::move(callback));
                Sandbox::Listener listener = [fn](const BillingEvent& ev) {
                    invokeCallback(fn, [&] { return py::object(toPy(ev)); });
                };
                py::gil_scoped_release release;
                return s.on(event, std::move(listener));
            },
            py::arg("event"), py::arg("callback"))
        .def(
            "off",
            [](Sandbox& s, const std::string& event, std::uint64_t listener_id) {
                py::gil_scoped_release release;
                return s.off(event, listener_id);
            },
            py::arg("event"), py::arg("listener_id"))
        .def("describe", [](const Sandbox& s) {
            py::gil_scoped_release release;
            return s.describe();
        });
}

} // namespace sockt::python
