// INTERNAL: helpers shared by the Sandbox implementation files (lifecycle, exec, files).
#pragma once

#include "client_core.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sockt::detail {

/// `/sandboxes/<id><suffix>` with the id percent-encoded (ids are opaque, §12 rule 2).
std::string sandboxPath(const SandboxState& state, const std::string& suffix = "");
/// `/executions/<id>`.
std::string executionPath(const std::string& execution_id);
/// The sandbox's own token (issued at create) wins, else the client's credential.
std::optional<Credential> sandboxCredential(const ClientCore& core, const SandboxState& state);

/// A status answer's JSON as a SandboxStatus; an answer without an id gets the handle's.
SandboxStatus statusFromJson(const SandboxState& state, Json body);
/// Applies a status (and the text it was parsed from) to the cache and returns the billing events
/// it fires (docs/protocol.md §12 rule 11). Call fireEvents() afterwards, with no lock held.
std::vector<BillingEvent> applyStatus(SandboxState& state, const SandboxStatus& status,
                                      std::string body);
/// Events for an invoice seen elsewhere (exec polls).
std::vector<BillingEvent> noteInvoice(SandboxState& state, const std::optional<PendingInvoice>& inv,
                                      const Json& data);
void fireEvents(SandboxState& state, const std::vector<BillingEvent>& events);

/// GET status + applyStatus + fireEvents.
SandboxStatus fetchStatus(ClientCore& core, SandboxState& state, const CancelToken& cancel);

struct WaitPlan {
    Deadline deadline;
    Duration limit;          // for messages
    Duration first_interval; // sleep before the second poll
    Duration max_interval;   // backoff cap
};
/// Polls the status until `running` (docs/protocol.md §3.5 429 and transport-error tolerance).
void waitRunning(ClientCore& core, SandboxState& state, const WaitPlan& plan,
                 const CancelToken& cancel);
/// Data-plane calls on a sandbox last seen booting wait for `running` first.
void ensureDataPlaneReady(ClientCore& core, SandboxState& state, const CancelToken& cancel);

/// `utf8` (any case, also `utf-8`) or `base64`, else InvalidArgumentError.
std::string normalizeEncoding(const std::string& encoding);
void requireNonEmpty(const std::string& value, const char* what);

} // namespace sockt::detail
