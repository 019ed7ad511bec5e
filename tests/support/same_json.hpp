// sameJson(): two JSON documents alike at every node — the same type (1, 1u and 1.0 differ), the
// same keys in the same order, the same values as written out. For the differential tests of our
// JSON readers against nlohmann's (a discarded value is alike only to a discarded one).
#pragma once

template <class J> bool sameJson(const J& a, const J& b) {
    if (a.type() != b.type())
        return false;
    if (a.is_object() || a.is_array()) {
        if (a.size() != b.size())
            return false;
        for (auto i = a.begin(), j = b.begin(); i != a.end(); ++i, ++j)
            if ((a.is_object() && i.key() != j.key()) || !sameJson(*i, *j))
                return false;
        return true;
    }
    return a.dump() == b.dump();
}
