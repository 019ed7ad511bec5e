#include "addon_data.hpp"

namespace sockt::node {

std::uint64_t InFlight::add(const CancelToken& token) {
    std::lock_guard<std::mutex> lock(mu_);
    std::uint64_t id = next_++;
    calls_.emplace(id, token);
    return id;
}

void InFlight::remove(std::uint64_t id) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        calls_.erase(id);
    }
    cv_.notify_all();
}

void InFlight::cancelAllAndWait(std::chrono::milliseconds grace) {
    std::vector<CancelToken> tokens;
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& [id, token] : calls_) {
            tokens.push_back(token);
        }
    }
    // Outside the lock: cancel() runs abort callbacks that may take the core's own locks.
    for (auto& token : tokens) {
        token.cancel();
    }
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, grace, [this] { return calls_.empty(); });
}

std::uint64_t CallbackRegistry::add(Napi::Function fn) {
    std::uint64_t id = next_++;
    fns_.emplace(id, Napi::Persistent(fn));
    return id;
}

Napi::FunctionReference* CallbackRegistry::find(std::uint64_t id) {
    auto it = fns_.find(id);
    return it == fns_.end() ? nullptr : &it->second;
}

void CallbackRegistry::remove(std::uint64_t id) {
    fns_.erase(id);
}

void AddonData::shutdown() {
    if (shut_down) {
        return;
    }
    shut_down = true;
    // Core calls wait in <= 50 ms slices, so cancelled calls leave quickly; the bound only
    // protects exit from a call stuck somewhere that does not check its token.
    inflight->cancelAllAndWait(std::chrono::milliseconds(2000));
    dispatcher->shutdown();
}

} // namespace sockt::node
