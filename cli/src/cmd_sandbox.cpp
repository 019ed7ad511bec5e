// `sockt sandbox create|status|pause|resume|terminate` (docs/protocol.md §10.5-§10.7).
#include "api.hpp"
#include "app.hpp"
#include "tabwriter.hpp"
#include "terminal.hpp"
#include "ticker.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <optional>

namespace sockt::cli {

namespace {

using OrderedJson = nlohmann::ordered_json;

std::string sandboxIdOf(const Json& j) {
    for (const char* key : {"sandbox_id", "ID", "id"}) {
        std::string v = str(j, key);
        if (!v.empty())
            return v;
    }
    return {};
}

// §3.5: polling loops sleep Retry-After (2 s if absent) on a 429 and give up after 5 in a row.
class RateLimitBudget {
public:
    /// True when the failure was a 429 we should wait out (after sleeping); rethrows otherwise.
    bool absorb(const ApiFailure& e) {
        if (e.status() != 429 || e.slug() == "too_many_executions")
            return false;
        if (++consecutive_ >= protocol::kMaxConsecutiveRateLimited)
            return false;
        const double fallback = std::chrono::duration<double>(protocol::kDefaultRetryAfter).count();
        double secs = e.retryAfter().value_or(fallback);
        if (secs < 0)
            secs = fallback;
        sleepMs(static_cast<long long>(secs * 1000));
        return true;
    }
    void reset() { consecutive_ = 0; }

private:
    int consecutive_ = 0;
};

// What --wait shows while the algorithm of §10.6 runs; the algorithm itself exists once.
class WaitPresenter {
public:
    virtual ~WaitPresenter() = default;
    virtual void bootStarted() {}
    virtual void bootStatus(const std::string& /*status*/) {}
    virtual void bootSlept() {}
    virtual void running() {}
    virtual void dataPlaneStarted() {}
    virtual void dataPlaneSlept() {}
    virtual void ready() {}
    virtual void abandoned() {}
};

// §10.6 off a terminal: the official text, byte for byte.
class PlainWait : public WaitPresenter {
public:
    void bootStarted() override { say("Waiting for sandbox to start..."); }
    void bootSlept() override { say("."); }
    void running() override { say(" running."); }
    void dataPlaneStarted() override { say(" Waiting for data plane..."); }
    void dataPlaneSlept() override { say("."); }
    void ready() override { say(" ready!\n"); }

private:
    static void say(const char* text) { std::cerr << text << std::flush; }
};

// §10.6 on a terminal: a live line showing the phase, the last status and the elapsed time.
class LiveWait : public WaitPresenter {
public:
    LiveWait(std::string id, std::string initial_status)
        : id_(std::move(id)), shown_(initial_status.empty() ? "unknown" : initial_status) {}

    void bootStarted() override { tick("Waiting for sandbox " + id_ + " to start"); }
    void bootStatus(const std::string& status) override {
        std::lock_guard<std::mutex> lock(mutex_);
        shown_ = status;
    }
    void dataPlaneStarted() override {
        bootStatus("running");
        tick("Waiting for data plane of " + id_);
    }
    void ready() override {
        ticker_.reset();
        char buf[64];
        std::snprintf(buf, sizeof buf, " ready (%.1fs)", line_.elapsedSeconds());
        line_.finish("Sandbox " + id_ + buf);
    }
    void abandoned() override {
        ticker_.reset();
        line_.clear();
    }

private:
    void tick(std::string phase) {
        ticker_.reset();
        ticker_.emplace(line_, [this, phase = std::move(phase)](double secs) {
            std::lock_guard<std::mutex> lock(mutex_);
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.0fs", std::floor(secs));
            return phase + " (" + shown_ + ", " + buf + ")";
        });
    }

    std::string id_;
    LiveLine line_;
    std::mutex mutex_;
    std::string shown_;
    std::optional<Ticker> ticker_;
};

// §10.6: up to 60 status polls 2 s apart, then up to 30 data-plane probes 2 s apart.
void waitForSandbox(Api& api, const std::string& id, const std::string& initial_status,
                    WaitPresenter& show) {
    const std::string status_path = "/sandboxes/" + pathSegment(id);
    try {
        if (initial_status != "running") {
            show.bootStarted();
            RateLimitBudget budget;
            bool running = false;
            for (int i = 0; i < 60 && !running;) {
                Json st;
                try {
                    st = api.json({"GET", status_path, {}, std::nullopt}, "parse status");
                    budget.reset();
                } catch (const ApiFailure& e) {
                    if (budget.absorb(e))
                        continue;
                    throw;
                }
                ++i;
                std::string s = str(st, "status");
                show.bootStatus(s);
                if (s == "running") {
                    show.running();
                    running = true;
                    break;
                }
                if (s == "failed")
                    throw CliError("sandbox failed");
                if (s == "terminated")
                    throw CliError("sandbox terminated");
                sleepMs(2000);
                show.bootSlept();
            }
            if (!running)
                throw CliError("timeout waiting for sandbox to reach running state");
        }
        show.dataPlaneStarted();
        for (int i = 0; i < 30; ++i) {
            try {
                HttpResponse r =
                    api.send({"GET", status_path + "/files", {{"path", "."}}, std::nullopt});
                if (r.status >= 200 && r.status < 300) {
                    show.ready();
                    return;
                }
            } catch (const CliError&) {
            }
            sleepMs(2000);
            show.dataPlaneSlept();
        }
        throw CliError("timeout waiting for sandbox data plane (files/exec not reachable yet)");
    } catch (...) {
        show.abandoned();
        throw;
    }
}

int runCreate(Invocation& inv) {
    Api api(inv);
    OrderedJson body;
    body["tier"] = inv.stringFlag("tier");
    body["billing_method"] = inv.stringFlag("billing");
    if (inv.intFlag("prepaid-sats") != 0)
        body["prepaid_sats"] = inv.intFlag("prepaid-sats");
    if (inv.intFlag("initial-credits") != 0)
        body["initial_credits_cents"] = inv.intFlag("initial-credits");
    if (!inv.stringFlag("label").empty())
        body["label"] = inv.stringFlag("label");

    Json created = api.json({"POST", "/sandboxes", {}, body.dump()});
    std::string token = str(created, "sandbox_token");
    if (!token.empty())
        std::cerr << "Sandbox token: " << token << "\n" << std::flush;
    std::string bolt11;
    if (created.is_object() && created.contains("pending_invoice"))
        bolt11 = str(created["pending_invoice"], "bolt11");
    if (bolt11.empty())
        bolt11 = str(created, "invoice");
    if (!bolt11.empty())
        std::cerr << "Payment required. Invoice:\n" << bolt11 << "\n" << std::flush;

    std::string id = sandboxIdOf(created);
    if (inv.boolFlag("wait")) {
        // A sandbox token issued by a lightning create is what the wait must present: the
        // create itself needed no credential, the status polls do.
        Api* waiter = &api;
        std::optional<Api> token_api;
        if (!api.credential() && !token.empty()) {
            setenv("SOCKT_SANDBOX_TOKEN", token.c_str(), 1);
            token_api.emplace(inv);
            waiter = &*token_api;
        }
        const std::string initial = str(created, "status");
        if (stderrIsTerminal()) {
            LiveWait live(id, initial);
            waitForSandbox(*waiter, id, initial, live);
        } else {
            PlainWait plain;
            waitForSandbox(*waiter, id, initial, plain);
        }
    }
    if (jsonMode(inv)) {
        printJson(inv, created);
        return 0;
    }
    *inv.out << id << "\n";
    return 0;
}

std::string intText(const Json& j, const char* key) {
    double v = num(j, key);
    return std::to_string(static_cast<long long>(v));
}

int runStatus(Invocation& inv) {
    Api api(inv);
    const std::string& id = inv.args[0];
    Json st = api.json({"GET", "/sandboxes/" + pathSegment(id), {}, std::nullopt});
    if (jsonMode(inv)) {
        printJson(inv, st);
        return 0;
    }
    std::string sid = str(st, "sandbox_id");
    if (sid.empty())
        sid = str(st, "ID");
    std::string t = "ID:\t" + sid + "\nStatus:\t" + str(st, "status") + "\nTier:\t" +
                    str(st, "tier") + "\nRuntime:\t" + str(st, "runtime") + "\nBilling:\t" +
                    str(st, "billing_method") + "\n";
    if (num(st, "sats_per_second") > 0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.2f sats/sec", num(st, "sats_per_second"));
        t += std::string("Rate:\t") + buf + "\n";
    }
    if (num(st, "seconds_remaining") > 0)
        t += "Time remaining:\t" + intText(st, "seconds_remaining") + "s\n";
    if (!str(st, "warning_level").empty())
        t += "Warning:\t" + str(st, "warning_level") + "\n";
    *inv.out << tabwrite(t);
    return 0;
}

// pause / resume / terminate: the response body is ignored (§10.7), except for --json.
Command::RunFn lifecycle(const std::string& method, const std::string& suffix,
                         const std::string& verb) {
    return [method, suffix, verb](Invocation& inv) {
        Api api(inv);
        const std::string& id = inv.args[0];
        HttpResponse r =
            api.send({method, "/sandboxes/" + pathSegment(id) + suffix, {}, std::nullopt});
        if (r.status >= 400) {
            Json parsed = Json::parse(r.body, nullptr, false);
            std::string slug = parsed.is_object() ? str(parsed, "code") : std::string();
            throw ApiFailure(r.status, r.body, slug, std::nullopt);
        }
        if (jsonMode(inv)) {
            Json parsed = Json::parse(r.body, nullptr, false);
            if (!parsed.is_object())
                parsed = Json{{"sandbox_id", id}, {"status", verb}};
            printJson(inv, parsed);
            return 0;
        }
        *inv.out << "Sandbox " << id << " " << verb << "\n";
        return 0;
    };
}

} // namespace

std::unique_ptr<Command> makeSandboxCommand() {
    auto group = std::make_unique<Command>("sandbox", "Manage sandboxes");

    auto create = std::make_unique<Command>("create", "Create a new sandbox");
    create->addFlag("billing", 'b', FlagType::String, "Billing method (credits or lightning)",
                    "credits");
    create->addFlag("initial-credits", 0, FlagType::Int, "Initial credits in cents");
    create->addFlag("label", 'l', FlagType::String, "Sandbox label");
    create->addFlag("prepaid-sats", 0, FlagType::Int, "Prepaid sats for lightning billing");
    create->addFlag("tier", 't', FlagType::String, "Sandbox tier", "nano");
    create->addFlag("wait", 'w', FlagType::Bool,
                    "Wait until status is running and files/exec are reachable");
    create->example =
        "  # Create with defaults (nano tier, credits billing) and capture the id\n"
        "  ID=$(sockt sandbox create --wait)\n"
        "\n"
        "  # A medium sandbox with a label\n"
        "  sockt sandbox create --tier medium --label my-dev-env --wait\n"
        "\n"
        "  # Lightning billing: prints the sandbox token and a BOLT11 invoice on stderr\n"
        "  sockt sandbox create --billing lightning --prepaid-sats 5000";
    create->run = runCreate;
    group->add(std::move(create));

    auto status = std::make_unique<Command>("status [sandbox-id]", "Get sandbox status");
    status->args = ArgsRule::exact(1);
    status->example = "  sockt sandbox status $ID\n  sockt sandbox status $ID --json";
    status->run = runStatus;
    group->add(std::move(status));

    auto pause = std::make_unique<Command>("pause [sandbox-id]", "Pause a running sandbox");
    pause->args = ArgsRule::exact(1);
    pause->example = "  sockt sandbox pause $ID";
    pause->run = lifecycle("POST", "/pause", "paused");
    group->add(std::move(pause));

    auto resume = std::make_unique<Command>("resume [sandbox-id]", "Resume a paused sandbox");
    resume->args = ArgsRule::exact(1);
    resume->example = "  sockt sandbox resume $ID";
    resume->run = lifecycle("POST", "/resume", "resumed");
    group->add(std::move(resume));

    auto terminate = std::make_unique<Command>("terminate [sandbox-id]", "Terminate a sandbox");
    terminate->args = ArgsRule::exact(1);
    terminate->example = "  sockt sandbox terminate $ID";
    terminate->run = lifecycle("DELETE", "", "terminated");
    group->add(std::move(terminate));
    return group;
}

} // namespace sockt::cli
