// sockt._sockt.Client: ComputeClient (official reference "ComputeClient"; docs/protocol.md §12 rule
// 6).
#include "sockt/client.hpp"

#include "bindings.hpp"
#include "convert.hpp"
#include "dual_def.hpp"
#include "sockt/protocol.hpp"

#include <pybind11/stl.h>

namespace sockt::python {

void invokeCallback(const SharedPyObject& fn, const std::function<py::object()>& make_arg) {
    if (interpreterFinalizing())
        return;
    PyGILState_STATE st = PyGILState_Ensure();
    try {
        py::object arg = make_arg();
        fn.get()(arg);
    } catch (py::error_already_set& e) {
        PendingPyError* slot = currentCallbackErrorSlot();
        if (slot) {
            e.restore();
            slot->captureCurrent();
        } else {
            e.discard_as_unraisable(fn.get());
        }
    } catch (const std::exception& e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
        PyErr_WriteUnraisable(fn.get().ptr());
    }
    PyGILState_Release(st);
}

void bindClient(py::module_& m) {
    using Client = ComputeClient;
    py::class_<Client, std::unique_ptr<Client, ReleaseGilDelete<Client>>> cls(
        m, "Client", "Native ComputeClient. Thread-safe; blocking calls release the GIL.");
    defDual(
        cls, "list_tiers", [](const CancelToken& t, Client& c) { return c.listTiers(t); },
        [](const std::vector<Tier>& tiers) {
            py::list out;
            for (const auto& tier : tiers)
                out.append(toPy(tier));
            return py::object(std::move(out));
        });
    defDual(
        cls, "create_sandbox",
        [](const CancelToken& t, Client& c, const std::string& tier,
           const std::optional<std::string>& billing_method,
           const std::optional<std::int64_t>& prepaid_sats,
           const std::optional<std::int64_t>& initial_credits_cents,
           const std::optional<std::string>& label) {
            CreateSandboxOptions o;
            o.tier = tier;
            o.billing_method = billing_method;
            o.prepaid_sats = prepaid_sats;
            o.initial_credits_cents = initial_credits_cents;
            o.label = label;
            return c.createSandbox(o, t);
        },
        [](Sandbox sandbox) { return py::cast(std::move(sandbox)); }, py::arg("tier"),
        py::arg("billing_method") = py::none(), py::arg("prepaid_sats") = py::none(),
        py::arg("initial_credits_cents") = py::none(), py::arg("label") = py::none());
    defDual(
        cls, "get_sandbox",
        [](const CancelToken& t, Client& c, const std::string& sandbox_id) {
            return c.getSandbox(sandbox_id, t);
        },
        [](Sandbox sandbox) { return py::cast(std::move(sandbox)); }, py::arg("sandbox_id"));
    cls
        .def(py::init([](std::optional<std::string> api_key,
                         std::optional<std::string> sandbox_token,
                         std::optional<std::string> base_url, std::optional<double> timeout,
                         std::string user_agent_suffix) {
                 ClientOptions o;
                 o.api_key = std::move(api_key);
                 o.sandbox_token = std::move(sandbox_token);
                 o.base_url = std::move(base_url);
                 setSeconds(o.timeout, timeout, "timeout"); // > 0: the core checks it
                 o.user_agent_suffix = std::move(user_agent_suffix);
                 py::gil_scoped_release release;
                 return std::unique_ptr<Client, ReleaseGilDelete<Client>>(new Client(o));
             }),
             py::arg("api_key") = py::none(), py::arg("sandbox_token") = py::none(),
             py::arg("base_url") = py::none(), py::arg("timeout") = py::none(),
             py::arg("user_agent_suffix") = "")
        .def(
            "sandbox",
            [](Client& c, const std::string& sandbox_id) {
                py::gil_scoped_release release;
                return c.sandbox(sandbox_id);
            },
            py::arg("sandbox_id"))
        .def("close",
             [](Client& c) {
                 py::gil_scoped_release release;
                 c.close();
             })
        .def_property_readonly("closed",
                               [](const Client& c) {
                                   py::gil_scoped_release release;
                                   return c.closed();
                               })
        .def_property_readonly("base_url", [](const Client& c) { return c.baseUrl(); })
        .def_property_readonly("supports_long_poll",
                               [](const Client& c) {
                                   py::gil_scoped_release release;
                                   return c.supportsLongPoll();
                               })
        .def_property_readonly("connections_opened",
                               [](const Client& c) {
                                   py::gil_scoped_release release;
                                   return c.connectionsOpened();
                               })
        .def("describe", [](const Client& c) {
            py::gil_scoped_release release;
            return c.describe();
        });
}

} // namespace sockt::python
