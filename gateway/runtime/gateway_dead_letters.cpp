// The dead-letter queue as operators see it: counts per target, pages of
// entries, replay into the target's spool, and drop. Replays and drops are
// recorded in the audit log (target, how many, which role asked).
#include <optional>

#include "runtime/gateway.h"
#include "runtime/log.h"

namespace medgate::runtime {
namespace {
constexpr std::size_t kReplayChunk = 500;

sdk::Status unknown_target(const std::string& name) {
  return sdk::Status::Invalid("no target named '" + name + "' in the running config");
}

audit::DeadLetterAudit describe(const std::string& target, std::string selection, std::string role,
                                std::int64_t keys, std::uint64_t count) {
  audit::DeadLetterAudit a;
  a.target = target;
  a.selection = std::move(selection);
  a.role = role.empty() ? "unknown" : std::move(role);
  a.keys = keys;
  a.count = static_cast<std::int64_t>(count);
  return a;
}

audit::DeadLetterAudit describe(const admin::DeadLetterSelection& which, std::uint64_t count) {
  return describe(which.target, which.keys.empty() ? "all" : "keys", which.requested_by,
                  static_cast<std::int64_t>(which.keys.size()), count);
}

// A drop's audit entry, written before anything is removed: when it cannot
// be written, nothing is.
sdk::Status audit_drop_first(audit::AuditChain& chain, const audit::DeadLetterAudit& a) {
  sdk::Status s = chain.append_dead_letters(audit::EntryType::dlq_drop, a);
  if (s.ok()) return s;
  log(sdk::LogLevel::error, "audit",
      "dead letters of target '" + a.target + "' were not removed: the audit log cannot record it: " + s.message());
  return sdk::Status::Unavailable("the audit log cannot record the drop (" + s.message() + "); nothing was removed");
}
}  // namespace

sdk::Value Gateway::dlq_summary() const {
  sdk::Value::Array targets;
  for (const auto& [name, spool] : spools_) {
    spool::DeadLetterStats st;
    sdk::Value v = sdk::Value::object();
    v["target"] = name;
    if (sdk::Status s = dlq_->stats(name, st); !s.ok()) {
      v["error"] = s.message();
    } else {
      v["entries"] = static_cast<std::int64_t>(st.entries);
      v["bytes"] = static_cast<std::int64_t>(st.bytes);
      v["unreadable_lines"] = static_cast<std::int64_t>(st.unreadable);
      if (st.entries) {
        v["oldest"] = st.oldest;
        v["newest"] = st.newest;
      }
    }
    targets.push_back(std::move(v));
  }
  sdk::Value doc = sdk::Value::object();
  doc["targets"] = sdk::Value(std::move(targets));
  return doc;
}

sdk::Status Gateway::dlq_entries(const std::string& target, std::size_t offset, std::size_t limit,
                                 sdk::Value& out) const {
  if (!spools_.count(target)) return unknown_target(target);
  std::vector<spool::DeadLetter> entries;
  std::uint64_t total = 0;
  if (sdk::Status s = dlq_->read(target, offset, limit, entries, total); !s.ok()) return s;
  sdk::Value::Array list;
  for (auto& e : entries) {
    sdk::Value v = sdk::Value::object();
    v["time"] = std::move(e.time);
    v["idempotency_key"] = std::move(e.idempotency_key);
    v["partition_key"] = std::move(e.partition_key);
    v["reason"] = std::move(e.reason);
    v["payload"] = std::move(e.payload);
    list.push_back(std::move(v));
  }
  out = sdk::Value::object();
  out["target"] = target;
  out["total"] = static_cast<std::int64_t>(total);
  out["offset"] = static_cast<std::int64_t>(offset);
  out["entries"] = sdk::Value(std::move(list));
  return sdk::Status::Ok();
}

sdk::Status Gateway::dlq_replay(const admin::DeadLetterSelection& which,
                                const std::function<void(std::uint64_t, std::uint64_t)>& progress,
                                std::uint64_t& replayed) {
  replayed = 0;
  auto it = spools_.find(which.target);
  if (it == spools_.end()) return unknown_target(which.target);
  spool::TargetSpool& spool = *it->second;
  // Back into the spool first, then out of the dead letters: a crash in
  // between delivers an entry again under the same idempotency key.
  auto into_spool = [&](const std::vector<spool::DeadLetter>& chunk, std::uint64_t selected) {
    std::vector<spool::SpoolEntry> entries;
    entries.reserve(chunk.size());
    for (const auto& d : chunk) entries.push_back({d.idempotency_key, d.partition_key, d.payload, 0});
    const std::uint64_t bytes = spool::TargetSpool::frame_bytes(entries);
    if (!budget_->try_reserve(bytes))
      return sdk::Status::Exhausted("spool full (" + std::to_string(budget_->used()) + " of " +
                                    std::to_string(budget_->max()) + " bytes); replay the rest once it drains");
    if (sdk::Status s = spool.append(entries); !s.ok()) {
      budget_->release(bytes);
      return s;
    }
    replayed += chunk.size();
    progress(replayed, selected);
    return sdk::Status::Ok();
  };
  std::uint64_t selected = 0, removed = 0;
  sdk::Status s = dlq_->remove(which.target, which.keys, kReplayChunk, into_spool, selected, removed);
  log(sdk::LogLevel::info, "dlq",
      "replayed " + std::to_string(removed) + " of " + std::to_string(selected) + " dead letters of target '" +
          which.target + "'" + (s.ok() ? "" : ": " + s.message()));
  replayed = removed;
  // A replay moves entries back into the spool (nothing is lost), so its
  // audit entry can follow and says how many went.
  if (sdk::Status a = audit_->append_dead_letters(audit::EntryType::dlq_replay, describe(which, removed)); !a.ok())
    log(sdk::LogLevel::error, "audit",
        "dlq_replay of target '" + which.target + "' happened but its audit entry could not be written: " +
            a.message());
  return s;
}

sdk::Status Gateway::dlq_drop(const admin::DeadLetterSelection& which, std::uint64_t& dropped) {
  dropped = 0;
  if (!spools_.count(which.target)) return unknown_target(which.target);
  std::uint64_t selected = 0, removed = 0;
  std::optional<sdk::Status> audit_result;  // set at the first chunk: the store removes nothing before it
  auto audit_then_discard = [&](const std::vector<spool::DeadLetter>&, std::uint64_t all_selected) {
    if (!audit_result) audit_result = audit_drop_first(*audit_, describe(which, all_selected));
    return *audit_result;
  };
  sdk::Status s = dlq_->remove(which.target, which.keys, kReplayChunk, audit_then_discard, selected, removed);
  if (audit_result && !audit_result->ok()) return *audit_result;
  if (!s.ok()) {  // the file was not rewritten: every entry is still there
    log(sdk::LogLevel::error, "dlq",
        "dead letters of target '" + which.target + "' could not be removed" +
            (audit_result ? " after the drop was audited; the audit entry stands for a removal that did not happen"
                          : "") +
            ": " + s.message());
    return s;
  }
  dropped = removed;
  log(sdk::LogLevel::info, "dlq",
      "dropped " + std::to_string(dropped) + " dead letters of target '" + which.target + "' (audited)");
  return s;
}

void Gateway::apply_dlq_retention(std::chrono::system_clock::time_point now) {
  const std::int64_t retention_ms = checked_.config.dlq.retention_ms;
  if (retention_ms <= 0) return;
  std::vector<std::pair<std::string, std::size_t>> removed;
  // "retention": older than dlq.retention, removed by medgated itself.
  auto audit_first = [&](const std::string& target, std::size_t n) {
    return audit_drop_first(*audit_, describe(target, "retention", "medgated", 0, n));
  };
  sdk::Status s = dlq_->remove_older_than(now - std::chrono::milliseconds(retention_ms), audit_first, removed);
  for (const auto& [target, n] : removed)
    log(sdk::LogLevel::info, "dlq",
        "retention removed " + std::to_string(n) + " dead letter" + (n == 1 ? "" : "s") + " of target '" + target +
            "' older than dlq.retention (" + std::to_string(retention_ms / 1000) + " s) (audited)");
  if (!s.ok()) log(sdk::LogLevel::error, "dlq", "retention: " + s.message());
}

}  // namespace medgate::runtime
