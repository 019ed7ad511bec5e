// sockt._sockt.Sandbox.upload / download, blocking and `_async`. The transfer
// itself is the core's (Sandbox::upload/download); here only the progress callback differs: the
// blocking call runs it on the calling thread, the asyncio one on the loop's thread.
#include "async_call.hpp"
#include "bindings.hpp"
#include "convert.hpp"

#include <pybind11/stl.h>

namespace sockt::python {

namespace {

// Not given (None): the core's defaults (options.hpp), which the core checks as any value.
TransferOptions transferOptions(std::optional<int> concurrency, std::optional<bool> preserve_mode) {
    TransferOptions o;
    o.concurrency = concurrency.value_or(o.concurrency);
    o.preserve_mode = preserve_mode.value_or(o.preserve_mode);
    return o;
}

using Move = TransferResult (Sandbox::*)(const std::string&, const std::string&,
                                         const TransferOptions&, const CancelToken&);

// `from` and `to` are the source and destination as the method takes them.
void defTransfer(py::class_<Sandbox>& cls, const char* name, Move move, const char* from,
                 const char* to) {
    cls.def(
        name,
        [move](Sandbox& s, const std::string& source, const std::string& destination,
               std::optional<int> concurrency, std::optional<bool> preserve_mode,
               py::object on_progress) {
            TransferOptions o = transferOptions(concurrency, preserve_mode);
            BlockingCall call;
            if (!on_progress.is_none()) {
                SharedPyObject fn(std::move(on_progress));
                o.on_progress = [&call, fn](const TransferProgress& p) {
                    invokeOrCancel(call, fn, [&] { return py::object(toPy(p)); });
                };
            }
            return toPy(call.run([&](const CancelToken& t) {
                return (s.*move)(source, destination, o, t);
            }));
        },
        py::arg(from), py::arg(to), py::arg("concurrency") = py::none(), py::arg("preserve_mode") = py::none(),
        py::arg("on_progress") = py::none());
    cls.def(
        (std::string(name) + "_async").c_str(),
        [move](Sandbox& s, const std::string& source, const std::string& destination,
               std::optional<int> concurrency, std::optional<bool> preserve_mode,
               const py::object& on_progress,
               const std::shared_ptr<LoopBridge>& bridge, py::object done) {
            TransferOptions o = transferOptions(concurrency, preserve_mode);
            if (!on_progress.is_none()) {
                // Borrowed: `keep` below holds the callable until the result is delivered,
                // which comes after every progress report posted before it.
                PyObject* fn = on_progress.ptr();
                o.on_progress = [bridge, fn](const TransferProgress& p) {
                    bridge->post([fn, p] {
                        py::handle callback(fn);
                        callback(toPy(p));
                    });
                };
            }
            py::object keep =
                py::make_tuple(py::cast(&s, py::return_value_policy::reference), on_progress);
            return startAsync(
                bridge, std::move(done), std::move(keep),
                [&s, move, source, destination, o](const CancelToken& t) {
                    return (s.*move)(source, destination, o, t);
                },
                [](const TransferResult& r) { return py::object(toPy(r)); });
        },
        py::arg(from), py::arg(to), py::arg("concurrency"), py::arg("preserve_mode"),
        py::arg("on_progress"), py::arg("bridge"), py::arg("done"));
}

} // namespace

void bindSandboxTransfers(py::class_<Sandbox>& cls) {
    defTransfer(cls, "upload", &Sandbox::upload, "local_path", "remote_path");
    defTransfer(cls, "download", &Sandbox::download, "remote_path", "local_path");
}

} // namespace sockt::python
