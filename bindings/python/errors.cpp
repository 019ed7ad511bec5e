// One translator from ErrorKind to the Python classes of python/sockt/errors.py (DESIGN.md §4).
#include "sockt/errors.hpp"

#include "async_call.hpp"
#include "bindings.hpp"

#include <pybind11/pybind11.h>

namespace sockt::python {

namespace {

const char* className(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::Generic:
        return "SocktError";
    case ErrorKind::Authentication:
        return "AuthenticationError";
    case ErrorKind::TopUpFailed:
        return "TopUpFailedError";
    case ErrorKind::RateLimited:
        return "RateLimitedError";
    case ErrorKind::NoCapacity:
        return "NoCapacityError";
    case ErrorKind::HostUnreachable:
        return "HostUnreachableError";
    case ErrorKind::SandboxNotRunning:
        return "SandboxNotRunningError";
    case ErrorKind::SandboxStopped:
        return "SandboxStoppedError";
    case ErrorKind::Api:
        return "APIError";
    case ErrorKind::Connection:
        return "ConnectionError";
    case ErrorKind::Timeout:
        return "TimeoutError";
    case ErrorKind::Cancelled:
        return "CancelledError";
    case ErrorKind::InvalidArgument:
        return "InvalidArgumentError";
    }
    return "SocktError";
}

py::object orNone(const std::string& s) {
    return s.empty() ? py::object(py::none()) : py::str(s);
}

py::object socktErrorObject(const SocktError& e) {
    py::object errors = py::module_::import("sockt.errors");
    py::object cls = errors.attr(className(e.kind()));
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
    py::register_exception_translator([](std::exception_ptr p) {
        if (!p)
            return;
        try {
            std::rethrow_exception(p);
        } catch (const SocktError& e) {
            try {
                setPythonError(e);
            } catch (py::error_already_set& inner) {
                // sockt.errors could not be imported (a broken install): keep the message.
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
            static const std::pair<const char*, ErrorKind> kinds[] = {
                {"generic", ErrorKind::Generic},
                {"authentication", ErrorKind::Authentication},
                {"top_up_failed", ErrorKind::TopUpFailed},
                {"rate_limited", ErrorKind::RateLimited},
                {"no_capacity", ErrorKind::NoCapacity},
                {"host_unreachable", ErrorKind::HostUnreachable},
                {"sandbox_not_running", ErrorKind::SandboxNotRunning},
                {"sandbox_stopped", ErrorKind::SandboxStopped},
                {"api", ErrorKind::Api},
                {"connection", ErrorKind::Connection},
                {"timeout", ErrorKind::Timeout},
                {"cancelled", ErrorKind::Cancelled},
                {"invalid_argument", ErrorKind::InvalidArgument},
            };
            for (const auto& [name, k] : kinds) {
                if (kind == name) {
                    SocktError::Details d;
                    d.message = message;
                    d.status_code = status_code;
                    d.slug = slug;
                    SocktError::raise(k, std::move(d));
                }
            }
            throw py::value_error("unknown error kind: " + kind);
        },
        py::arg("kind"), py::arg("message"), py::arg("status_code") = 0, py::arg("slug") = "");
}

} // namespace sockt::python
