// `sockt tiers` (docs/protocol.md §10.4).
#include "api.hpp"
#include "app.hpp"
#include "tabwriter.hpp"

#include <cstdio>

namespace sockt::cli {

namespace {

std::string fmt(const char* format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, format, v);
    return buf;
}

int runTiers(Invocation& inv) {
    Api api(inv);
    Json body = api.json({"GET", "/sandboxes/tiers", {}, std::nullopt});
    if (jsonMode(inv)) {
        printJson(inv, body);
        return 0;
    }
    std::string table = "TIER\tSATS/SEC\tUSD/HOUR\tSATS/HOUR\tSATS/DAY\n";
    if (body.is_object() && body.contains("tiers") && body["tiers"].is_array()) {
        for (const Json& t : body["tiers"]) {
            std::string name = str(t, "name");
            if (name.empty())
                name = str(t, "tier");
            table += name + "\t" + fmt("%.2f", num(t, "sats_per_second")) + "\t" +
                     fmt("$%.4f", num(t, "cost_per_hour_usd")) + "\t" +
                     fmt("%.0f", num(t, "cost_per_hour_sats")) + "\t" +
                     fmt("%.0f", num(t, "cost_per_day_sats")) + "\n";
        }
    }
    *inv.out << tabwrite(table);
    return 0;
}

} // namespace

std::unique_ptr<Command> makeTiersCommand() {
    auto c = std::make_unique<Command>("tiers", "List available sandbox tiers and pricing");
    c->example = "  sockt tiers\n  sockt tiers --json";
    c->run = runTiers;
    return c;
}

} // namespace sockt::cli
