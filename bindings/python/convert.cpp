#include "convert.hpp"

#include <pybind11/stl.h>
#include <string>
#include <type_traits>
#include <unordered_map>

namespace sockt::python {

namespace {

template <class T> py::object opt(const std::optional<T>& v) {
    if (!v)
        return py::none();
    return py::cast(*v);
}

// Dict keys are made once and interned (bench/FINDINGS.md P2): a status builds the same 26 keys
// for its fields and again for `raw`, and an interned str, whose hash is cached, goes into a dict
// without an allocation, a UTF-8 decode or a hash. The caches are used with the GIL held and
// leaked on purpose: no destructor may touch Python objects after the interpreter is gone.

/// Key for a string literal; the literal's address identifies it.
py::handle literalKey(const char* name) {
    static auto* cache = new std::unordered_map<const char*, PyObject*>();
    auto it = cache->find(name);
    if (it != cache->end())
        return it->second;
    PyObject* key = PyUnicode_InternFromString(name);
    if (key == nullptr)
        throw py::error_already_set();
    cache->emplace(name, key);
    return key;
}

// Keys of JSON objects from the server; bounded so that answers with ever new keys cannot grow
// the cache without end (past the bound, keys are made per dict as before).
constexpr std::size_t kMaxCachedJsonKeys = 1024;

py::object jsonKey(const std::string& name) {
    static auto* cache = new std::unordered_map<std::string, PyObject*>();
    auto it = cache->find(name);
    if (it != cache->end())
        return py::reinterpret_borrow<py::object>(it->second);
    py::str key(name);
    if (cache->size() < kMaxCachedJsonKeys) {
        PyObject* raw = key.release().ptr();
        PyUnicode_InternInPlace(&raw);
        cache->emplace(name, raw);
        return py::reinterpret_borrow<py::object>(raw);
    }
    return std::move(key);
}

/// d[name] = value, with an interned key.
template <class T> void put(py::dict& d, const char* name, T&& value) {
    py::object v;
    if constexpr (std::is_base_of_v<py::handle, std::decay_t<T>>)
        v = std::forward<T>(value);
    else
        v = py::cast(std::forward<T>(value));
    if (PyDict_SetItem(d.ptr(), literalKey(name).ptr(), v.ptr()) != 0)
        throw py::error_already_set();
}

} // namespace

py::object jsonToPy(const Json& j) {
    switch (j.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded:
        return py::none();
    case Json::value_t::boolean:
        return py::bool_(j.get<bool>());
    case Json::value_t::number_integer:
        return py::int_(j.get<std::int64_t>());
    case Json::value_t::number_unsigned:
        return py::int_(j.get<std::uint64_t>());
    case Json::value_t::number_float:
        return py::float_(j.get<double>());
    case Json::value_t::string:
        return py::str(j.get_ref<const std::string&>());
    case Json::value_t::binary: {
        const auto& b = j.get_binary();
        return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
    }
    case Json::value_t::array: {
        py::list out;
        for (const auto& item : j)
            out.append(jsonToPy(item));
        return std::move(out);
    }
    case Json::value_t::object: {
        py::dict out;
        for (auto it = j.begin(); it != j.end(); ++it) {
            py::object value = jsonToPy(it.value());
            if (PyDict_SetItem(out.ptr(), jsonKey(it.key()).ptr(), value.ptr()) != 0)
                throw py::error_already_set();
        }
        return std::move(out);
    }
    }
    return py::none();
}

py::object answerToPy(const std::string& text, const Json& parsed) {
    if (text.empty())
        return jsonToPy(parsed);
    static PyObject* loads = py::object(py::module_::import("json").attr("loads")).release().ptr();
    try {
        return py::reinterpret_borrow<py::object>(loads)(py::str(text));
    } catch (py::error_already_set&) {
        return jsonToPy(parsed); // not valid JSON after all (the core was lenient)
    }
}

namespace {

using bindings::Front;

// One overload per Kind of bindings/models/fields.hpp.
py::object pyValue(const std::string& s) {
    return py::str(s);
}
py::object pyValue(const Json& j) {
    return jsonToPy(j);
}
template <class T> std::enable_if_t<std::is_arithmetic_v<T>, py::object> pyValue(T v) {
    return py::cast(v);
}
py::object pyValue(const PendingInvoice& p) {
    return toPy(p);
}
template <class T> py::object pyValue(const std::optional<T>& v) {
    if (!v)
        return py::none();
    return pyValue(*v);
}
py::object pyValue(const std::vector<OutputChunk>& chunks) {
    py::list out;
    for (const auto& c : chunks)
        out.append(toPy(c));
    return std::move(out);
}

// Shell frames are the JSON object itself ({"type", "data", ...extras}), the table's fields on
// top, a missing `code` left out; every other model is a dict of exactly its fields (the
// dataclasses of python/sockt/models.py are filled from it as it is).
py::dict startDict(const ShellFrame& f) {
    if (f.raw.is_object()) {
        py::object parsed = answerToPy(f.raw_text, f.raw);
        if (py::isinstance<py::dict>(parsed))
            return parsed.cast<py::dict>();
    }
    return {};
}
template <class Model> py::dict startDict(const Model&) {
    return {};
}

template <class Model> py::dict dictOf(const Model& m) {
    py::dict d = startDict(m);
    constexpr bool keep_none = !std::is_same_v<Model, ShellFrame>;
    bindings::visitFields<Front::Python>(m, [&d](const char* key, const auto& value) {
        py::object v = pyValue(value);
        if (keep_none || !v.is_none())
            put(d, key, std::move(v));
    });
    return d;
}

} // namespace

py::object toPy(const std::optional<PendingInvoice>& p) {
    return pyValue(p);
}

#define SOCKT_PY_DEFINE_TO_PY(Model)                                                          \
    py::dict toPy(const Model& m) {                                                           \
        return dictOf(m);                                                                     \
    }
SOCKT_MODELS(SOCKT_PY_DEFINE_TO_PY)
#undef SOCKT_PY_DEFINE_TO_PY

} // namespace sockt::python
