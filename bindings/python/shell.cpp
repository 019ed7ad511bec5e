// sockt._sockt.ShellSession (official reference "ShellSession", docs/protocol.md §6). The session's
// I/O thread delivers frame callbacks: they take the GIL there. Closing and destroying a session
// joins that thread, so both happen with the GIL released.
#include "sockt/shell.hpp"

#include "bindings.hpp"
#include "convert.hpp"

#include <pybind11/stl.h>

namespace sockt::python {

void bindShell(py::module_& m) {
    using Shell = ShellSession;
    py::class_<Shell, std::unique_ptr<Shell, ReleaseGilDelete<Shell>>>(
        m, "ShellSession", "Native WebSocket shell; frame callbacks run on its I/O thread.")
        .def("connect",
             [](Shell& s) {
                 BlockingCall call;
                 call.run([&](const CancelToken& t) { s.connect(t); });
             })
        .def("close",
             [](Shell& s) {
                 py::gil_scoped_release release;
                 s.close();
             })
        .def_property_readonly("connected",
                               [](const Shell& s) {
                                   py::gil_scoped_release release;
                                   return s.connected();
                               })
        .def(
            "send",
            [](Shell& s, const std::string& text) {
                py::gil_scoped_release release;
                s.send(text);
            },
            py::arg("text"))
        .def(
            "send_line",
            [](Shell& s, const std::string& text) {
                py::gil_scoped_release release;
                s.sendLine(text);
            },
            py::arg("text"))
        .def(
            "resize",
            [](Shell& s, int cols, int rows) {
                py::gil_scoped_release release;
                s.resize(cols, rows);
            },
            py::arg("cols"), py::arg("rows"))
        .def(
            "recv",
            [](Shell& s, double timeout) -> py::object {
                Duration d = secondsToDuration(timeout, "timeout");
                BlockingCall call;
                auto frame = call.run([&](const CancelToken& t) { return s.recv(d, t); });
                if (!frame)
                    return py::none();
                return toPy(*frame);
            },
            py::arg("timeout") = 30.0)
        .def(
            "on",
            [](Shell& s, const std::string& type, py::object callback) {
                SharedPyObject fn(std::move(callback));
                Shell::Listener listener = [fn](const ShellFrame& frame) {
                    invokeCallback(fn, [&] { return py::object(toPy(frame)); });
                };
                py::gil_scoped_release release;
                return s.on(type, std::move(listener));
            },
            py::arg("event"), py::arg("callback"))
        .def(
            "off",
            [](Shell& s, const std::string& type, std::uint64_t listener_id) {
                py::gil_scoped_release release;
                return s.off(type, listener_id);
            },
            py::arg("event"), py::arg("listener_id"))
        .def_property_readonly("exit_code",
                               [](const Shell& s) {
                                   py::gil_scoped_release release;
                                   return s.exitCode();
                               })
        .def_property_readonly("close_code",
                               [](const Shell& s) {
                                   py::gil_scoped_release release;
                                   return s.closeCode();
                               })
        .def("describe", [](const Shell& s) {
            py::gil_scoped_release release;
            return s.describe();
        });
}

} // namespace sockt::python
