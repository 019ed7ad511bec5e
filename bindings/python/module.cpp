// sockt._sockt: the private native module under the `sockt` package. The public,
// documented API is python/sockt/*.py; this module is typed by python/sockt/_sockt.pyi.
#include "bindings.hpp"
#include "sockt/protocol.hpp"

#include <pybind11/pybind11.h>

namespace py = pybind11;
using namespace sockt;

PYBIND11_MODULE(_sockt, m) {
    m.doc() = "Native core of the sockt package (libsockt bound with pybind11).";
    python::initCalls();
    python::bindErrors(m);
    python::bindAsync(m);
    python::bindShell(m);
    python::bindSandbox(m);
    python::bindClient(m);

    m.def("version", [] { return std::string(sockt::version()); });
    m.def(
        "redact", [](const std::string& secret) { return protocol::redact(secret); },
        py::arg("secret"));
    m.def(
        "redact_url", [](const std::string& text) { return protocol::redactUrl(text); },
        py::arg("text"));

    auto seconds = [](std::chrono::milliseconds d) { return d.count() / 1000.0; };
    // The documented constants (official reference "Configuration"), from protocol.hpp.
    m.attr("DEFAULT_BASE_URL") = std::string(protocol::kDefaultBaseUrl);
    m.attr("DEFAULT_TIMEOUT_SECS") = seconds(protocol::kRequestTimeout);
    m.attr("DEFAULT_POLL_INTERVAL_SECS") = seconds(protocol::kExecPollInterval);
    m.attr("DEFAULT_WAIT_POLL_INTERVAL_SECS") = seconds(protocol::kWaitPollInterval);
    m.attr("DEFAULT_WAIT_TIMEOUT_SECS") = seconds(protocol::kWaitTimeout);
    m.attr("POD_STARTING_BACKOFF_SECS") = seconds(protocol::kPodStartingBackoff);
    m.attr("POD_STARTING_MAX_RETRIES") = protocol::kPodStartingMaxRetries;
    m.attr("DEFAULT_TRANSFER_CONCURRENCY") = protocol::kTransferConcurrency;
    py::list tiers;
    for (const auto& t : protocol::kTiers)
        tiers.append(py::str(std::string(t.name)));
    m.attr("TIER_NAMES") = py::tuple(tiers);
}
