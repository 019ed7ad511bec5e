// One definition, two methods: `name` (blocking, GIL released, Ctrl-C honoured: BlockingCall)
// and `name_async` (the same core call on a fiber, its outcome delivered to an asyncio loop:
// startAsync). So the sync and the asyncio APIs can never drift apart in what they call.
//
// `work(token, self, args...)` makes the core call; `convert(result)` turns its result into a
// Python value with the GIL held. The async twin takes the same arguments plus `bridge` and
// `done`, copies the arguments (they must be plain C++ values) and keeps the Python object that
// owns `self` alive until the call has been delivered.
#pragma once

#include "async_call.hpp"
#include "bindings.hpp"

#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace sockt::python {

namespace detail {

template <class F> struct WorkTraits : WorkTraits<decltype(&F::operator())> {};

// The asyncio twin takes every argument positionally (the Python layer passes them all), so its
// parameters carry no defaults and `bridge` and `done` can follow them.
inline py::arg withoutDefault(const py::arg& a) {
    return py::arg(a.name);
}
template <class C, class R, class Self, class... A>
struct WorkTraits<R (C::*)(const CancelToken&, Self&, A...) const> {
    using Result = R;
    using SelfType = Self;
    using Args = std::tuple<std::decay_t<A>...>;
};

template <class Cls, class Work, class Convert, class... A, class... Extra>
void defDualImpl(Cls& cls, const char* name, Work work, Convert convert, std::tuple<A...>*,
                 const Extra&... extra) {
    using Traits = WorkTraits<Work>;
    using Self = typename Traits::SelfType;
    using R = typename Traits::Result;
    cls.def(
        name,
        [work, convert](Self& self, A... args) -> py::object {
            BlockingCall call;
            if constexpr (std::is_void_v<R>) {
                call.run([&](const CancelToken& t) { work(t, self, args...); });
                return py::none();
            } else {
                R result = call.run([&](const CancelToken& t) { return work(t, self, args...); });
                return convert(std::move(result));
            }
        },
        extra...);
    cls.def(
        (std::string(name) + "_async").c_str(),
        [work, convert](Self& self, A... args, const std::shared_ptr<LoopBridge>& bridge,
                        py::object done) {
            py::object keep = py::cast(&self, py::return_value_policy::reference);
            Self* target = &self;
            return startAsync(
                bridge, std::move(done), std::move(keep),
                [work, target, captured = std::make_tuple(args...)](const CancelToken& t) {
                    return std::apply(
                        [&](const auto&... a) { return work(t, *target, a...); }, captured);
                },
                convert);
        },
        withoutDefault(extra)..., py::arg("bridge"), py::arg("done"));
}

} // namespace detail

template <class Cls, class Work, class Convert, class... Extra>
void defDual(Cls& cls, const char* name, Work work, Convert convert, const Extra&... extra) {
    using Args = typename detail::WorkTraits<Work>::Args;
    detail::defDualImpl(cls, name, std::move(work), std::move(convert),
                        static_cast<Args*>(nullptr), extra...);
}

/// convert for results that are already what Python gets (str, bool, …).
struct AsIs {
    template <class T> py::object operator()(T&& v) const { return py::cast(std::forward<T>(v)); }
};

} // namespace sockt::python
