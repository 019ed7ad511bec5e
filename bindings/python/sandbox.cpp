// sockt._sockt.Sandbox: one sandbox handle (official reference "Sandbox"): its cached state, shell
// and event listeners here, its network calls in sandbox_calls.cpp and sandbox_transfers.cpp.
// Event listeners take the GIL themselves.
#include "sockt/sandbox.hpp"

#include "bindings.hpp"
#include "convert.hpp"
#include "sockt/shell.hpp"

#include <memory>
#include <pybind11/stl.h>

namespace sockt::python {

void bindSandbox(py::module_& m) {
    py::class_<Sandbox> cls(m, "Sandbox",
                            "Native sandbox handle; copies share state. Thread-safe.");
    bindSandboxCalls(cls);
    bindSandboxTransfers(cls);
    cls
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
