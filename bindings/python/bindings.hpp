// Shared declarations of the pybind11 glue: one bind function per file, plus argument helpers.
#pragma once

#include "call.hpp"
#include "sockt/options.hpp"
#include "sockt/sandbox.hpp"

#include <cstdint>
#include <optional>
#include <pybind11/pybind11.h>
#include <string>

namespace sockt::python {

namespace py = pybind11;

void bindErrors(py::module_& m);
void bindClient(py::module_& m);
void bindSandbox(py::module_& m);
void bindShell(py::module_& m);
void bindAsync(py::module_& m);
/// The network calls of sockt._sockt.Sandbox, each blocking and `_async` (dual_def.hpp).
void bindSandboxCalls(py::class_<Sandbox>& cls);
/// upload / download, blocking and `_async`.
void bindSandboxTransfers(py::class_<Sandbox>& cls);

/// A seconds argument from Python (None when not given) into `field` through the core's check
/// (protocol::secondsArg); not given keeps the default the core's option struct holds.
template <class Field>
void setSeconds(Field& field, const std::optional<double>& seconds, const char* name) {
    if (seconds)
        field = protocol::secondsArg(*seconds, name);
}

/// Holder deleter for objects whose destructor may join a native thread that is itself waiting
/// for the GIL (a shell's I/O thread delivering a callback): destroy them with the GIL released.
template <class T> struct ReleaseGilDelete {
    void operator()(T* p) const {
        if (PyGILState_Check() && !interpreterFinalizing()) {
            py::gil_scoped_release release;
            delete p;
        } else {
            delete p;
        }
    }
};

/// Calls a Python callable from a native callback. Takes the GIL; an exception goes to the
/// innermost BlockingCall of this thread, else to sys.unraisablehook.
void invokeCallback(const SharedPyObject& fn, const std::function<py::object()>& make_arg);

} // namespace sockt::python
