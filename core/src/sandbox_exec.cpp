// Sandbox exec calls and the polling loop (docs/protocol.md §2.7-2.9, §4, §12 rule 10).
#include "sandbox_internal.hpp"
#include "sockt/sandbox.hpp"
#include "transport/transport_errors.hpp"

#include "json/lenient.hpp"
#include <algorithm>

namespace sockt {

using detail::sandboxCredential;

namespace {

constexpr std::size_t kFinishedBuffersKept = 64;
constexpr Duration kFirstPollDelay{15};

std::shared_ptr<detail::ExecBuffer> bufferFor(detail::SandboxState& state,
                                              const std::string& execution_id) {
    std::lock_guard<std::mutex> lock(state.mutex);
    auto& slot = state.exec_buffers[execution_id];
    if (!slot)
        slot = std::make_shared<detail::ExecBuffer>();
    return slot;
}

// Finished buffers stay for a while (a late execWait still sees every chunk), then go. With
// `drop_chunks` (execWait handed them all out) the buffer is replaced at once by one without
// chunks (whoever holds the old one keeps it whole) that stays among the finished ones: its
// last_seq keeps a later poll from being answered with those chunks again (docs/protocol.md
// §4.5), and its final poll still answers execNext.
void retireBuffer(detail::SandboxState& state, const std::string& execution_id, bool drop_chunks) {
    std::lock_guard<std::mutex> lock(state.mutex);
    if (drop_chunks) {
        auto it = state.exec_buffers.find(execution_id);
        if (it != state.exec_buffers.end() && it->second) {
            const std::shared_ptr<detail::ExecBuffer> full = it->second;
            auto emptied = std::make_shared<detail::ExecBuffer>();
            {
                std::lock_guard<std::mutex> buffer_lock(full->mutex);
                emptied->finished = full->finished;
                emptied->final_poll = full->final_poll;
                emptied->last_seq = full->last_seq;
            }
            it->second = std::move(emptied);
        }
    }
    auto& order = state.finished_order;
    if (std::find(order.begin(), order.end(), execution_id) != order.end())
        return;
    order.push_back(execution_id);
    while (order.size() > kFinishedBuffersKept) {
        state.exec_buffers.erase(order.front());
        order.erase(order.begin());
    }
}

// The `seq` of each chunk of `result.output` (0 = none), in the same order: ExecResult::fromJson
// keeps the object and string items of `output` (docs/protocol.md §4.5).
std::vector<std::int64_t> chunkSeqs(const ExecResult& result) {
    std::vector<std::int64_t> seqs;
    const Json* out = json::find(result.raw, "output");
    if (!out || !out->is_array())
        return seqs;
    for (const auto& item : *out) {
        if (item.is_object())
            seqs.push_back(json::optInt(item, "seq").value_or(0));
        else if (item.is_string())
            seqs.push_back(0);
    }
    return seqs;
}

// One poll; its chunks are appended to the execution's buffer before anyone sees them. With the
// replay extension (docs/protocol.md §4.5) the poll sends `since=<highest seq received>`, so a
// poll whose answer was lost in transit is answered again by the next one, and a chunk received
// twice (two polls racing) is kept once.
ExecResult pollOnce(detail::ClientCore& core, detail::SandboxState& state,
                    const std::string& execution_id, std::optional<int> wait_ms,
                    const CancelToken& cancel) {
    auto buffer = bufferFor(state, execution_id);
    HttpRequest request{"GET", detail::executionPath(execution_id)};
    if (core.supportsReplay()) {
        std::lock_guard<std::mutex> lock(buffer->mutex);
        request.query.emplace_back("since", std::to_string(buffer->last_seq));
    }
    if (wait_ms)
        request.query.emplace_back("wait_ms", std::to_string(*wait_ms));
    Json answer = core.callJson(request, sandboxCredential(core, state), cancel);
    ExecResult::checkPollAnswer(answer, execution_id);
    ExecResult result = ExecResult::fromJson(std::move(answer));
    if (result.execution_id.empty())
        result.execution_id = execution_id;
    const std::vector<std::int64_t> seqs = chunkSeqs(result);
    {
        std::lock_guard<std::mutex> lock(buffer->mutex);
        if (seqs.size() == result.output.size()) {
            std::vector<OutputChunk> fresh;
            for (std::size_t i = 0; i < seqs.size(); ++i) {
                if (seqs[i] > 0 && seqs[i] <= buffer->last_seq)
                    continue; // already received (a replayed or raced answer)
                fresh.push_back(std::move(result.output[i]));
            }
            for (std::int64_t seq : seqs)
                buffer->last_seq = std::max(buffer->last_seq, seq);
            result.output = std::move(fresh);
        }
        buffer->chunks.insert(buffer->chunks.end(), result.output.begin(), result.output.end());
        if (result.finished() && !buffer->finished) {
            buffer->finished = true;
            buffer->final_poll = result;
            buffer->final_poll->output.clear();
        }
    }
    if (result.finished())
        retireBuffer(state, execution_id, false);
    if (result.pending_invoice) {
        std::vector<BillingEvent> events;
        {
            std::lock_guard<std::mutex> lock(state.mutex);
            events = detail::noteInvoice(state, result.pending_invoice, result.raw);
        }
        detail::fireEvents(state, events);
    }
    return result;
}

// Unstreamed output of the buffer as one execNext answer (nullopt when there is none and the
// execution has not ended): the chunks after `streamed`, with the terminal status once known.
std::optional<ExecResult> takeStep(detail::ExecBuffer& buffer, const ExecResult* last_poll,
                                   const std::string& execution_id) {
    std::lock_guard<std::mutex> lock(buffer.mutex);
    const bool fresh = buffer.streamed < buffer.chunks.size();
    if (!fresh && !buffer.finished)
        return std::nullopt;
    ExecResult step;
    if (buffer.finished && buffer.final_poll) {
        step = *buffer.final_poll;
    } else if (last_poll) {
        step = *last_poll;
        step.output.clear();
    } else {
        step.execution_id = execution_id;
        step.status = "running";
    }
    step.output.assign(buffer.chunks.begin() + static_cast<std::ptrdiff_t>(buffer.streamed),
                       buffer.chunks.end());
    buffer.streamed = buffer.chunks.size();
    return step;
}

// The poll loop of execWait (until the end) and execNext (until new output or the end).
ExecResult pollLoop(detail::ClientCore& core, detail::SandboxState& state,
                    const std::string& execution_id, const PollOptions& options,
                    const CancelToken& cancel, bool until_output) {
    detail::requireNonEmpty(execution_id, "execution_id");
    if (options.poll_interval.count() <= 0)
        throw InvalidArgumentError({"poll_interval must be positive", "", 0});
    if (options.timeout && options.timeout->count() < 0)
        throw InvalidArgumentError({"timeout must be >= 0", "", 0});
    const std::string what = "waiting for execution " + execution_id;
    const auto start = detail::Clock::now();
    std::optional<detail::Deadline> deadline;
    if (options.timeout)
        deadline = start + *options.timeout;

    auto buffer = bufferFor(state, execution_id);
    auto stepWith = [&](const ExecResult* last) -> std::optional<ExecResult> {
        auto step = takeStep(*buffer, last, execution_id);
        if (step && options.on_output)
            for (const auto& chunk : step->output)
                options.on_output(chunk);
        return step;
    };
    if (until_output) {
        if (auto step = stepWith(nullptr))
            return std::move(*step);
    }
    std::size_t delivered = 0; // chunks handed to on_output so far (earlier ones replayed)
    auto deliver = [&] {
        if (!options.on_output)
            return;
        std::vector<OutputChunk> fresh;
        {
            std::lock_guard<std::mutex> lock(buffer->mutex);
            fresh.assign(buffer->chunks.begin() + static_cast<std::ptrdiff_t>(delivered),
                         buffer->chunks.end());
            delivered = buffer->chunks.size();
        }
        for (const auto& chunk : fresh)
            options.on_output(chunk);
    };

    // Issue #2 item 8: first poll after ~15 ms, doubling up to poll_interval, never above it.
    // With long-poll (§4.4) the server holds each poll until there is news, so no sleep at all.
    Duration interval = std::min(kFirstPollDelay, options.poll_interval);
    int rate_limited = 0;
    int transport_failures = 0;
    while (true) {
        bool long_poll = options.allow_long_poll && core.supportsLongPoll();
        Duration pause = long_poll ? Duration(0) : interval;
        if (pause.count() > 0) {
            if (deadline)
                pause = std::min(
                    pause, std::chrono::duration_cast<Duration>(std::max(
                               detail::Clock::duration::zero(), *deadline - detail::Clock::now())));
            if (!cancel.sleepFor(pause))
                detail::throwCancelled(what);
        }
        if (cancel.cancelled())
            detail::throwCancelled(what);

        std::optional<int> wait_ms;
        if (long_poll) {
            // docs/protocol.md §4.4: wait_ms only after the server advertised long-poll; keep it well
            // inside both our request deadline and the caller's own timeout.
            long long cap =
                std::min<long long>(protocol::kLongPollWaitMs, core.timeout().count() - 5000);
            if (deadline)
                cap = std::min<long long>(cap, detail::remainingMs(*deadline));
            if (cap >= 100)
                wait_ms = static_cast<int>(cap);
        }
        ExecResult poll;
        try {
            poll = pollOnce(core, state, execution_id, wait_ms, cancel);
            rate_limited = 0;
            transport_failures = 0;
        } catch (const RateLimitedError& e) {
            if (++rate_limited >= protocol::kMaxConsecutiveRateLimited)
                throw;
            Duration wait = e.retryAfter()
                                ? Duration(static_cast<long long>(*e.retryAfter() * 1000))
                                : protocol::kDefaultRetryAfter;
            if (!cancel.sleepFor(wait))
                detail::throwCancelled(what);
            continue;
        } catch (const ConnectionError&) {
            if (core.closed() || ++transport_failures > 3)
                throw;
            interval = options.poll_interval;
            continue;
        } catch (const TimeoutError&) {
            if (++transport_failures > 3)
                throw;
            interval = options.poll_interval;
            continue;
        }
        if (until_output) {
            if (auto step = stepWith(&poll))
                return std::move(*step);
        } else {
            deliver();
            if (poll.finished()) {
                ExecResult result = std::move(poll);
                {
                    std::lock_guard<std::mutex> lock(buffer->mutex);
                    result.output = buffer->chunks;
                }
                retireBuffer(state, execution_id, true);
                return result;
            }
        }
        if (deadline && detail::Clock::now() >= *deadline)
            throw TimeoutError({"execution " + execution_id + " still running after " +
                                    std::to_string(options.timeout->count()) +
                                    " ms; it keeps running on the server (execCancel stops it)",
                                "", 0});
        interval = std::min(options.poll_interval, interval * 2);
    }
}

} // namespace

Execution Sandbox::exec(const std::string& command, const ExecOptions& options,
                        const CancelToken& cancel) {
    if (command.empty())
        throw InvalidArgumentError({"command must not be empty", "", 0});
    if (options.timeout_ms &&
        (*options.timeout_ms < 0 || *options.timeout_ms > protocol::kMaxExecTimeoutMs))
        throw InvalidArgumentError({"timeout_ms must be between 0 (no timeout) and " +
                                        std::to_string(protocol::kMaxExecTimeoutMs),
                                    "", 0});
    Json body = {{"command", command}};
    if (options.working_dir && !options.working_dir->empty())
        body["working_dir"] = *options.working_dir;
    if (options.timeout_ms)
        body["timeout_ms"] = *options.timeout_ms;
    HttpRequest request{"POST", detail::sandboxPath(*state_, "/exec")};
    try {
        request.body = body.dump();
    } catch (const Json::type_error&) {
        throw InvalidArgumentError({"command and working_dir must be valid UTF-8", "", 0});
    }
    detail::ensureDataPlaneReady(*core_, *state_, cancel);
    Execution execution =
        Execution::fromJson(core_->callJson(request, sandboxCredential(*core_, *state_), cancel));
    if (execution.execution_id.empty())
        throw APIError({"the exec answer carries no execution_id", "", 200});
    if (execution.sandbox_id.empty())
        execution.sandbox_id = state_->id;
    if (execution.command.empty())
        execution.command = command;
    bufferFor(*state_, execution.execution_id);
    return execution;
}

ExecResult Sandbox::execResult(const std::string& execution_id, const CancelToken& cancel) {
    detail::requireNonEmpty(execution_id, "execution_id");
    return pollOnce(*core_, *state_, execution_id, std::nullopt, cancel);
}

std::string Sandbox::execCancel(const std::string& execution_id, const CancelToken& cancel) {
    detail::requireNonEmpty(execution_id, "execution_id");
    HttpRequest request{"DELETE", detail::executionPath(execution_id)};
    Json body = core_->callJson(request, sandboxCredential(*core_, *state_), cancel);
    return json::getString(body, "status");
}

ExecResult Sandbox::execWait(const std::string& execution_id, const PollOptions& options,
                             const CancelToken& cancel) {
    return pollLoop(*core_, *state_, execution_id, options, cancel, false);
}

ExecResult Sandbox::execNext(const std::string& execution_id, const PollOptions& options,
                             const CancelToken& cancel) {
    return pollLoop(*core_, *state_, execution_id, options, cancel, true);
}

ExecResult Sandbox::execSync(const std::string& command, const ExecOptions& options,
                             const PollOptions& poll, const CancelToken& cancel) {
    Execution execution = exec(command, options, cancel);
    return execWait(execution.execution_id, poll, cancel);
}

} // namespace sockt
