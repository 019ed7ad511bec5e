#include "shell/client_message.hpp"

#include "common/api_error.hpp"

namespace sockt::server {

ClientMessage decodeClientMessage(bool binary, std::string payload) {
    ClientMessage m;
    if (binary) {
        m.kind = ClientMessage::Kind::Input;
        m.input = std::move(payload);
        return m;
    }
    OJson j = OJson::parse(payload, nullptr, false);
    if (!j.is_object())
        return m;
    auto type = j.find("type");
    if (type == j.end() || !type->is_string())
        return m;
    const std::string& t = type->get_ref<const std::string&>();
    if (t == "input") {
        auto data = j.find("data");
        if (data != j.end() && data->is_string()) {
            m.kind = ClientMessage::Kind::Input;
            m.input = data->get<std::string>();
        }
    } else if (t == "resize") {
        auto cols = j.find("cols");
        auto rows = j.find("rows");
        if (cols == j.end() || rows == j.end() || !cols->is_number() || !rows->is_number())
            return m;
        double c = cols->get<double>(), r = rows->get<double>();
        if (c < 1 || r < 1 || c > 10000 || r > 10000)
            return m;
        m.kind = ClientMessage::Kind::Resize;
        m.cols = static_cast<int>(c);
        m.rows = static_cast<int>(r);
    }
    return m;
}

} // namespace sockt::server
