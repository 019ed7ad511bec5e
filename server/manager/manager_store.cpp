// SandboxManager: persistence of keys, balances, sandboxes and invoices in <data>/state.json
// (docs/protocol.md §11.2). One small file written atomically after every change keeps a kill -9
// from losing more than the last second of metering.
#include "manager/sandbox_manager.hpp"
#include "store/atomic_file.hpp"

#include <iostream>

namespace sockt::server {
namespace {

constexpr int kStateVersion = 1;

std::filesystem::path statePath(const std::filesystem::path& data_dir) {
    return data_dir / "state.json";
}

} // namespace

void SandboxManager::persistLocked() {
    auto [text, seq] = stateSnapshotLocked();
    writeState(text, seq);
}

std::pair<std::string, std::uint64_t> SandboxManager::stateSnapshotLocked() {
    OJson j;
    j["version"] = kStateVersion;
    j["accounts"] = accounts_.toJson();
    OJson sandboxes = OJson::array();
    for (const auto& [_, rec] : records_)
        sandboxes.push_back(rec.toJson());
    j["sandboxes"] = std::move(sandboxes);
    OJson invoices = OJson::array();
    for (const auto& [_, inv] : invoices_)
        invoices.push_back(inv.toJson());
    j["invoices"] = std::move(invoices);
    return {j.dump(), ++state_seq_};
}

void SandboxManager::writeState(const std::string& text, std::uint64_t seq) {
    std::lock_guard<std::mutex> lock(state_write_mu_);
    if (seq <= written_seq_)
        return; // taken earlier than what is on disk: writing it would go back in time
    writeFileAtomically(statePath(config_.data_dir), text);
    written_seq_ = seq;
}

void SandboxManager::loadLocked() {
    auto text = readWholeFile(statePath(config_.data_dir));
    if (!text)
        return;
    OJson j;
    try {
        j = OJson::parse(*text);
        accounts_.loadJson(j.at("accounts"));
        for (const auto& s : j.at("sandboxes")) {
            auto rec = SandboxRecord::fromJson(s);
            if (rec.sandbox_token)
                token_index_[*rec.sandbox_token] = rec.id;
            live_[rec.id] = std::make_shared<Live>();
            records_[rec.id] = std::move(rec);
        }
        for (const auto& i : j.at("invoices")) {
            auto inv = Invoice::fromJson(i);
            invoices_[inv.payment_hash] = std::move(inv);
        }
    } catch (const std::exception& e) {
        // Never silently start empty over a user's state: refuse to start instead.
        throw std::runtime_error("cannot read " + statePath(config_.data_dir).string() + ": " +
                                 e.what());
    }
}

} // namespace sockt::server
