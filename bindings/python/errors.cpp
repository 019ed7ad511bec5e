// One translator from ErrorKind to the Python classes of python/sockt/errors.py.
#include "sockt/errors.hpp"

#include "async_call.hpp"
#include "bindings.hpp"

#include <array>
#include <pybind11/pybind11.h>

namespace sockt::python {

namespace {

// The class of each kind, looked up once when the module is loaded (sockt.errors._KIND_CLASSES,
// keyed by the core's kind names) and kept for the life of the process: raising then costs no
// import and no attribute lookup. Leaked on purpose: no destructor may touch Python objects
// after the interpreter is gone.
std::array<PyObject*, std::size(kErrorKinds)>& kindClasses() {
    static std::array<PyObject*, std::size(kErrorKinds)> classes{};
    return classes;
}

void loadKindClasses() {
    py::dict table = py::module_::import("sockt.errors").attr("_KIND_CLASSES");
    for (ErrorKind kind : kErrorKinds) {
        py::str name(std::string(errorKindName(kind)));
        if (!table.contains(name))
            throw py::import_error("sockt.errors has no class for the error kind " +
                                   std::string(errorKindName(kind)));
        kindClasses()[static_cast<std::size_t>(kind)] = py::object(table[name]).release().ptr();
    }
}

py::object orNone(const std::string& s) {
    return s.empty() ? py::object(py::none()) : py::str(s);
}

py::object socktErrorObject(const SocktError& e) {
    py::handle cls = kindClasses()[static_cast<std::size_t>(e.kind())];
    py::object retry_after = py::none();
    if (e.retryAfter())
        retry_after = py::float_(*e.retryAfter());
    py::object status = e.statusCode() > 0 ? py::object(py::int_(e.statusCode())) : py::none();
    return cls(py::str(e.message()), py::arg("slug") = orNone(e.slug()),
               py::arg("status_code") = status, py::arg("request_id") = orNone(e.requestId()),
               py::arg("hint") = orNone(e.hint()), py::arg("retry_after") = retry_after,
               py::arg("description") = py::str(e.what()));
}

void setPythonError(const SocktError& e) {
    py::object exc = socktErrorObject(e);
    PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
}

} // namespace

py::object exceptionObject(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const SocktError& e) {
        return socktErrorObject(e);
    } catch (const py::error_already_set& e) {
        return e.value();
    } catch (const std::bad_alloc&) {
        return py::reinterpret_steal<py::object>(PyObject_CallNoArgs(PyExc_MemoryError));
    } catch (const std::exception& e) {
        return py::reinterpret_steal<py::object>(
            PyObject_CallOneArg(PyExc_RuntimeError, py::str(e.what()).ptr()));
    }
}

void bindErrors(py::module_& m) {
    loadKindClasses();
    py::register_exception_translator([](std::exception_ptr p) {
        if (!p)
            return;
        try {
            std::rethrow_exception(p);
        } catch (const SocktError& e) {
            try {
                setPythonError(e);
            } catch (py::error_already_set& inner) {
                // The error object could not be made (out of memory): keep the message.
                inner.discard_as_unraisable("sockt error translation");
                PyErr_SetString(PyExc_RuntimeError, e.what());
            }
        }
    });
    m.def(
        "_raise_kind",
        [](const std::string& kind, const std::string& message, int status_code,
           const std::string& slug) {
            // Test hook: lets the suite check the translator for kinds a live server cannot
            // produce on demand (e.g. 502/503 host errors).
            if (auto k = errorKindNamed(kind)) {
                SocktError::Details d;
                d.message = message;
                d.status_code = status_code;
                d.slug = slug;
                SocktError::raise(*k, std::move(d));
            }
            throw py::value_error("unknown error kind: " + kind);
        },
        py::arg("kind"), py::arg("message"), py::arg("status_code") = 0, py::arg("slug") = "");
}

} // namespace sockt::python
