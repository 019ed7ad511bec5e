// BlockingCall and the GIL-safe helpers.
#include "call.hpp"

#include "bindings.hpp"

namespace sockt::python {

namespace {

thread_local PendingPyError* tls_callback_slot = nullptr;

// Signals are delivered to the main thread only, so only calls made there install the hook; the
// ident is read once at import (module.cpp calls mainThreadIdent() then).
unsigned long mainThreadIdent() {
    static const unsigned long ident = [] {
        py::gil_scoped_acquire gil;
        return py::module_::import("threading")
            .attr("main_thread")()
            .attr("ident")
            .cast<unsigned long>();
    }();
    return ident;
}

} // namespace

bool interpreterFinalizing() {
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing() != 0;
#else
    return _Py_IsFinalizing() != 0;
#endif
}

PendingPyError::~PendingPyError() {
    if (!pending())
        return;
    if (interpreterFinalizing())
        return; // leaked on purpose, see SharedPyObject
    PyGILState_STATE st = PyGILState_Ensure();
    Py_XDECREF(type_);
    Py_XDECREF(value_);
    Py_XDECREF(traceback_);
    PyGILState_Release(st);
}

void PendingPyError::captureCurrent() {
    if (pending()) {
        PyErr_Clear();
        return;
    }
    PyErr_Fetch(&type_, &value_, &traceback_);
}

void PendingPyError::raise() {
    PyErr_Restore(type_, value_, traceback_);
    type_ = value_ = traceback_ = nullptr;
    throw py::error_already_set();
}

void initCalls() {
    (void)mainThreadIdent();
}

PendingPyError* currentCallbackErrorSlot() {
    return tls_callback_slot;
}

BlockingCall::BlockingCall() : signal_error_(std::make_shared<PendingPyError>()) {
    outer_slot_ = tls_callback_slot;
    tls_callback_slot = &callback_error_;
    if (PyThread_get_thread_ident() != mainThreadIdent())
        return;
    // Runs on this same thread between the core's ≤ 50 ms wait slices.
    std::weak_ptr<PendingPyError> weak = signal_error_;
    token_.setCheck([weak]() -> bool {
        if (interpreterFinalizing())
            return true;
        auto slot = weak.lock();
        if (!slot)
            return false;
        PyGILState_STATE st = PyGILState_Ensure();
        bool fired = false;
        if (PyErr_CheckSignals() != 0) {
            slot->captureCurrent();
            fired = true;
        }
        PyGILState_Release(st);
        return fired;
    });
}

BlockingCall::~BlockingCall() {
    tls_callback_slot = outer_slot_;
    token_.setCheck({});
}

void BlockingCall::finish() {
    tls_callback_slot = outer_slot_;
    if (signal_error_->pending())
        signal_error_->raise();
    if (callback_error_.pending())
        callback_error_.raise();
}

void invokeOrCancel(const BlockingCall& call, const SharedPyObject& fn,
                    const std::function<py::object()>& make_arg) {
    invokeCallback(fn, make_arg);
    PendingPyError* slot = currentCallbackErrorSlot();
    if (slot != nullptr && slot->pending()) {
        CancelToken token = call.token(); // copies share the token's state
        token.cancel();
    }
}

SharedPyObject::SharedPyObject(py::object obj)
    : obj_(new py::object(std::move(obj)), [](py::object* p) {
          if (interpreterFinalizing())
              return; // the interpreter reclaims it; never take the GIL
          PyGILState_STATE st = PyGILState_Ensure();
          delete p;
          PyGILState_Release(st);
      }) {}

} // namespace sockt::python
