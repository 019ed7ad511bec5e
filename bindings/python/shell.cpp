// sockt._sockt.ShellSession (official reference "ShellSession", docs/protocol.md §6). The session's
// I/O thread delivers frame callbacks: they take the GIL there. Closing and destroying a session
// joins that thread, so both happen with the GIL released.
#include "sockt/shell.hpp"

#include "bindings.hpp"
#include "convert.hpp"
#include "dual_def.hpp"

#include <pybind11/stl.h>

namespace sockt::python {

void bindShell(py::module_& m) {
    using Shell = ShellSession;
    py::class_<Shell, std::unique_ptr<Shell, ReleaseGilDelete<Shell>>> cls(
        m, "ShellSession", "Native WebSocket shell; frame callbacks run on its I/O thread.");
    defDual(
        cls, "connect", [](const CancelToken& t, Shell& s) { s.connect(t); }, AsIs{});
    // close() waits (at most 2.5 s) for the server's close frame; asyncio awaits that instead.
    defDual(
        cls, "close", [](const CancelToken&, Shell& s) { s.close(); }, AsIs{});
    defDual(
        cls, "recv",
        [](const CancelToken& t, Shell& s, double timeout) {
            return s.recv(protocol::secondsArg(timeout, "timeout"), t);
        },
        [](const std::optional<ShellFrame>& frame) -> py::object {
            if (!frame)
                return py::none();
            return toPy(*frame);
        },
        py::arg("timeout") = 30.0);
    cls
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
