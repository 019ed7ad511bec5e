// Running a blocking core call from Python: arguments are converted with the GIL
// held, the core call runs with the GIL released, Ctrl-C cancels it through a CancelToken whose
// check hook briefly re-takes the GIL to run PyErr_CheckSignals, and Python callbacks fired on the
// calling thread hand their exception back to the caller instead of unwinding through the core.
#pragma once

#include "sockt/errors.hpp"
#include "sockt/options.hpp"

#include <functional>
#include <memory>
#include <pybind11/pybind11.h>
#include <utility>

namespace sockt::python {

namespace py = pybind11;

/// True while the interpreter is shutting down; native threads must then not take the GIL
/// (CPython 3.11 would end such a thread in PyEval_RestoreThread).
bool interpreterFinalizing();

/// Records the main thread's ident; called once at import.
void initCalls();

/// An exception captured from Python (type, value, traceback) to be raised later on this thread.
class PendingPyError {
public:
    PendingPyError() = default;
    PendingPyError(const PendingPyError&) = delete;
    PendingPyError& operator=(const PendingPyError&) = delete;
    ~PendingPyError();

    /// GIL held: moves the current Python error indicator into this holder (first one wins).
    void captureCurrent();
    bool pending() const { return type_ != nullptr; }
    /// GIL held: restores the error indicator and throws py::error_already_set.
    [[noreturn]] void raise();

private:
    PyObject* type_ = nullptr;
    PyObject* value_ = nullptr;
    PyObject* traceback_ = nullptr;
};

/// Where a Python callback invoked on the calling thread parks its exception; the innermost
/// BlockingCall on this thread re-raises it once the core call has returned.
PendingPyError* currentCallbackErrorSlot();

/// One blocking call. Construct and use with the GIL held.
class BlockingCall {
public:
    BlockingCall();
    ~BlockingCall();
    BlockingCall(const BlockingCall&) = delete;
    BlockingCall& operator=(const BlockingCall&) = delete;

    const CancelToken& token() const { return token_; }

    /// Runs f(token) without the GIL. Translates a cancellation caused by a signal into the
    /// Python exception the signal handler raised (KeyboardInterrupt), and re-raises an exception
    /// from a Python callback that ran during the call.
    template <class F> auto run(F&& f) -> decltype(f(std::declval<const CancelToken&>())) {
        using R = decltype(f(std::declval<const CancelToken&>()));
        try {
            if constexpr (std::is_void_v<R>) {
                {
                    py::gil_scoped_release release;
                    f(token_);
                }
                finish();
            } else {
                std::optional<R> result;
                {
                    py::gil_scoped_release release;
                    result.emplace(f(token_));
                }
                finish();
                return std::move(*result);
            }
        } catch (const SocktError&) {
            finish(); // a pending KeyboardInterrupt wins over the CancelledError it caused
            throw;
        }
    }

private:
    void finish();

    CancelToken token_;
    std::shared_ptr<PendingPyError> signal_error_;
    PendingPyError callback_error_;
    PendingPyError* outer_slot_;
};

/// For callbacks the core makes on the calling thread during `call` (exec output, transfer
/// progress): runs `fn(make_arg())` with the GIL and, when it raises, cancels `call` so that its
/// exception surfaces at once instead of after the core call has run to its end.
class SharedPyObject;
void invokeOrCancel(const BlockingCall& call, const SharedPyObject& fn,
                    const std::function<py::object()>& make_arg);

/// A Python object that may be dropped by a native thread: the last release takes the GIL (or
/// leaks the reference while the interpreter is finalizing, when taking it is not allowed).
class SharedPyObject {
public:
    explicit SharedPyObject(py::object obj);
    const py::object& get() const { return *obj_; }

private:
    std::shared_ptr<py::object> obj_;
};

} // namespace sockt::python
