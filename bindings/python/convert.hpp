// Core models → plain Python values. The Python layer (python/sockt/models.py) turns these dicts
// into the documented dataclasses; the lenient parsing of docs/protocol.md §12 stays in the core.
#pragma once

#include "sockt/models.hpp"

#include <pybind11/pybind11.h>

namespace sockt::python {

namespace py = pybind11;

py::object jsonToPy(const Json& j);
/// `text` (an answer as received) through Python's json.loads, so the dict keeps the server's
/// key order as the official SDK's dicts do; `parsed` when there is no text.
py::object answerToPy(const std::string& text, const Json& parsed);
py::dict toPy(const Tier& t);
py::object toPy(const std::optional<PendingInvoice>& p);
py::dict toPy(const PendingInvoice& p);
py::dict toPy(const SandboxStatus& s);
py::dict toPy(const CreatedSandbox& c);
py::dict toPy(const Execution& e);
py::dict toPy(const ExecResult& r);
py::dict toPy(const FileEntry& e);
py::dict toPy(const ReadResult& r);
py::dict toPy(const ShellFrame& f);
py::dict toPy(const BillingEvent& e);

} // namespace sockt::python
