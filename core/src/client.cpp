// ComputeClient: a thin handle on the shared ClientCore (official Python SDK "ComputeClient").
#include "sockt/client.hpp"

#include "client_core.hpp"
#include "http_errors.hpp"
#include "sandbox_internal.hpp"

#include "json/lenient.hpp"

namespace sockt {

const std::string& HttpResponse::header(const std::string& lower_name) const {
    static const std::string kEmpty;
    auto it = headers.find(lower_name);
    return it == headers.end() ? kEmpty : it->second;
}

namespace {

detail::ClientCore& coreOf(const std::shared_ptr<detail::ClientCore>& core) {
    if (!core)
        throw ConnectionError(
            {"this ComputeClient was moved from; use the moved-to object", "", 0});
    return *core;
}

} // namespace

ComputeClient::ComputeClient(ClientOptions options)
    : core_(std::make_shared<detail::ClientCore>(options)) {}

// Sandbox handles keep the core (and its pool) alive; only close() ends them.
ComputeClient::~ComputeClient() = default;
ComputeClient::ComputeClient(ComputeClient&&) noexcept = default;
ComputeClient& ComputeClient::operator=(ComputeClient&&) noexcept = default;

std::vector<Tier> ComputeClient::listTiers(const CancelToken& cancel) {
    auto& core = coreOf(core_);
    HttpRequest request{"GET", "/sandboxes/tiers"};
    Json body = core.callJson(request, core.defaultCredential(), cancel);
    const Json* tiers = body.is_array() ? &body : json::find(body, "tiers");
    std::vector<Tier> out;
    if (tiers && tiers->is_array()) {
        out.reserve(tiers->size());
        for (const auto& t : *tiers)
            if (t.is_object())
                out.push_back(Tier::fromJson(t));
    }
    return out;
}

Sandbox ComputeClient::createSandbox(const CreateSandboxOptions& options,
                                     const CancelToken& cancel) {
    auto& core = coreOf(core_);
    if (options.tier.empty())
        throw InvalidArgumentError({"tier must not be empty (e.g. \"nano\")", "", 0});
    std::optional<std::string> billing;
    if (options.billing_method) {
        std::string b = *options.billing_method;
        for (auto& c : b)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (b != "credits" && b != "lightning")
            throw InvalidArgumentError(
                {"billing_method must be \"credits\" or \"lightning\" (got \"" +
                     *options.billing_method + "\")",
                 "", 0});
        billing = b;
    }
    if (options.prepaid_sats &&
        (*options.prepaid_sats < 1 || *options.prepaid_sats > protocol::kMaxPrepaidSats))
        throw InvalidArgumentError(
            {"prepaid_sats must be between 1 and " + std::to_string(protocol::kMaxPrepaidSats), "",
             0});
    if (options.initial_credits_cents && *options.initial_credits_cents < 0)
        throw InvalidArgumentError({"initial_credits_cents must be >= 0", "", 0});
    if (options.label &&
        options.label->size() > static_cast<std::size_t>(protocol::kMaxLabelLength))
        throw InvalidArgumentError(
            {"label must be at most " + std::to_string(protocol::kMaxLabelLength) + " characters",
             "", 0});

    Json body = Json::object();
    body["tier"] = options.tier;
    if (billing)
        body["billing_method"] = *billing;
    if (options.prepaid_sats)
        body["prepaid_sats"] = *options.prepaid_sats;
    if (options.initial_credits_cents)
        body["initial_credits_cents"] = *options.initial_credits_cents;
    if (options.label)
        body["label"] = *options.label;

    // docs/protocol.md §12 rule 6: a credits create needs the API key even when a token is
    // configured.
    std::optional<detail::Credential> credential = core.defaultCredential();
    bool lightning = billing && *billing == "lightning";
    if (!lightning && core.apiKey())
        credential = detail::Credential{*core.apiKey(), false};

    HttpRequest request{"POST", "/sandboxes"};
    request.body = body.dump();
    Json answer = core.callJson(request, credential, cancel);
    CreatedSandbox created = CreatedSandbox::fromJson(answer);
    if (created.sandbox_id.empty())
        throw APIError({"the create answer carries no sandbox id (sandbox_id, ID or id)", "", 201});

    auto state = std::make_shared<detail::SandboxState>(created.sandbox_id);
    {
        std::lock_guard<std::mutex> lock(state->mutex);
        state->status = created.status;
        state->pending_invoice = created.pending_invoice;
        if (created.sandbox_token && !created.sandbox_token->empty())
            state->own_token = created.sandbox_token;
        state->created = std::move(created);
    }
    return Sandbox(core_, state);
}

Sandbox ComputeClient::getSandbox(const std::string& sandbox_id, const CancelToken& cancel) {
    Sandbox handle = sandbox(sandbox_id);
    handle.refreshStatus(cancel);
    return handle;
}

Sandbox ComputeClient::sandbox(const std::string& sandbox_id) {
    coreOf(core_);
    if (sandbox_id.empty())
        throw InvalidArgumentError({"sandbox id must not be empty", "", 0});
    return Sandbox(core_, std::make_shared<detail::SandboxState>(sandbox_id));
}

HttpResponse ComputeClient::request(const HttpRequest& request, const CancelToken& cancel) {
    return coreOf(core_).send(request, cancel);
}

void ComputeClient::throwForStatus(const HttpResponse& response) {
    if (detail::isErrorStatus(response.status))
        detail::throwForResponse(response);
}

void ComputeClient::close() {
    if (core_)
        core_->close();
}

bool ComputeClient::closed() const {
    return !core_ || core_->closed();
}

const std::string& ComputeClient::baseUrl() const {
    return coreOf(core_).baseUrl();
}

bool ComputeClient::supportsLongPoll() const {
    return coreOf(core_).supportsLongPoll();
}

bool ComputeClient::supportsReplay() const {
    return coreOf(core_).supportsReplay();
}

std::string ComputeClient::describe() const {
    return core_ ? core_->describe() : std::string("ComputeClient(moved-from)");
}

std::uint64_t ComputeClient::connectionsOpened() const {
    return core_ ? core_->connectionsOpened() : 0;
}

} // namespace sockt
