// The error every server component throws for a client-visible failure; the HTTP layer turns it
// into the envelope of docs/protocol.md §3.1. Status and label come from the slug table in
// sockt/protocol.hpp, so components only name the slug.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "sockt/protocol.hpp"

namespace sockt::server {

using OJson = nlohmann::ordered_json;

class ApiError : public std::runtime_error {
public:
    /// `code` must be a slug of protocol::kSlugs; its HTTP status and `error` label are used.
    ApiError(std::string code, std::string message, std::string hint = {}, OJson extra = nullptr)
        : std::runtime_error(message), code_(std::move(code)), message_(std::move(message)),
          hint_(std::move(hint)), extra_(std::move(extra)) {}

    const std::string& code() const noexcept { return code_; }
    const std::string& message() const noexcept { return message_; }
    const std::string& hint() const noexcept { return hint_; }
    /// Extra envelope keys (e.g. `pending_invoice` on 402 payment_required), or null.
    const OJson& extra() const noexcept { return extra_; }
    int httpStatus() const noexcept {
        const auto* slug = protocol::findSlug(code_);
        return slug ? slug->http_status : 500;
    }

private:
    std::string code_;
    std::string message_;
    std::string hint_;
    OJson extra_;
};

}  // namespace sockt::server
