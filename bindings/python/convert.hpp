// Core models → plain Python values. The Python layer (python/sockt/models.py) turns these dicts
// into the documented dataclasses; the lenient parsing of docs/protocol.md §12 stays in the core.
#pragma once

#include "../models/fields.hpp"
#include "sockt/models.hpp"

#include <pybind11/pybind11.h>

namespace sockt::python {

namespace py = pybind11;

py::object jsonToPy(const Json& j);
/// `text` (an answer as received) through Python's json.loads, so the dict keeps the server's
/// key order as the official SDK's dicts do; `parsed` when there is no text.
py::object answerToPy(const std::string& text, const Json& parsed);
py::object toPy(const std::optional<PendingInvoice>& p);
// One converter per model of bindings/models/fields.hpp (those with a Python front use it).
#define SOCKT_PY_DECLARE_TO_PY(Model) py::dict toPy(const Model& m);
SOCKT_MODELS(SOCKT_PY_DECLARE_TO_PY)
#undef SOCKT_PY_DECLARE_TO_PY

} // namespace sockt::python
