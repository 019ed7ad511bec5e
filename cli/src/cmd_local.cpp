// `sockt local pay|credit` (docs/protocol.md §10.14): admin routes of `sockt serve` (§11.3).
#include "api.hpp"
#include "app.hpp"

namespace sockt::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

int runPay(Invocation& inv) {
    Api api = Api::anonymous();
    const std::string& ref = inv.args[0];
    Json r = api.json(
        {"POST", "/local/v1/invoices/" + pathSegment(ref) + "/pay", {}, std::nullopt, true});
    if (jsonMode(inv)) {
        printJson(inv, r);
        return 0;
    }
    *inv.out << "Invoice paid: " << static_cast<long long>(num(r, "amount_sats"))
             << " sats for sandbox " << str(r, "sandbox_id") << "\n";
    return 0;
}

int runCredit(Invocation& inv) {
    std::int64_t cents = 0;
    try {
        std::size_t used = 0;
        cents = std::stoll(inv.args[0], &used);
        if (used != inv.args[0].size())
            throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
        throw CliError("invalid cents " + goQuote(inv.args[0]) + ": expected a whole number >= 1");
    }
    if (cents < 1)
        throw CliError("invalid cents " + goQuote(inv.args[0]) + ": expected a whole number >= 1");
    Api api(inv);
    // The configured API key (a sandbox token cannot hold credits).
    std::optional<std::string> key = api.credential();
    if (key && key->rfind(protocol::kSandboxTokenPrefix, 0) == 0) {
        const char* env = std::getenv("SOCKT_API_KEY");
        key = env && *env ? std::optional<std::string>(env) : std::nullopt;
    }
    if (!key)
        throw CliError("no API key configured: set SOCKT_API_KEY");
    OrderedJson body;
    body["api_key"] = *key;
    body["cents"] = cents;
    Json r = api.json({"POST", "/local/v1/credits", {}, body.dump(), true});
    if (jsonMode(inv)) {
        printJson(inv, r);
        return 0;
    }
    *inv.out << "Balance: " << static_cast<long long>(num(r, "balance_cents")) << " cents\n";
    return 0;
}

} // namespace

std::unique_ptr<Command> makeLocalCommand() {
    auto group = std::make_unique<Command>("local", "Commands for the local development server");

    auto pay = std::make_unique<Command>(
        "pay [bolt11-or-payment-hash]", "Pay a lightning invoice of the local server",
        "Simulate paying a lightning invoice issued by `sockt serve`\n"
        "(by its BOLT11 string or its payment hash).");
    pay->args = ArgsRule::exact(1);
    pay->example = "  sockt sandbox create --billing lightning 2>create.err\n"
                   "  sockt local pay \"$(grep ^lnbc create.err)\"";
    pay->run = runPay;
    group->add(std::move(pay));

    auto credit = std::make_unique<Command>(
        "credit [cents]", "Add credits to the configured API key",
        "Add credits (in cents) to the balance of SOCKT_API_KEY on `sockt serve`.");
    credit->args = ArgsRule::exact(1);
    credit->example = "  sockt local credit 500";
    credit->run = runCredit;
    group->add(std::move(credit));
    return group;
}

} // namespace sockt::cli
