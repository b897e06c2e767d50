// The dead-letter queue as operators see it: counts per target, pages of
// entries, replay into the target's spool, and drop. Replays and drops are
// recorded in the audit log (target, how many, which role asked).
#include "runtime/gateway.h"
#include "runtime/log.h"

namespace medgate::runtime {
namespace {
constexpr std::size_t kReplayChunk = 500;

sdk::Status unknown_target(const std::string& name) {
  return sdk::Status::Invalid("no target named '" + name + "' in the running config");
}

void append_audit(audit::AuditChain& chain, audit::EntryType type, const audit::DeadLetterAudit& a) {
  if (sdk::Status s = chain.append_dead_letters(type, a); !s.ok())
    log(sdk::LogLevel::error, "audit",
        std::string(audit::entry_type_name(type)) + " of target '" + a.target +
            "' happened but its audit entry could not be written: " + s.message());
}

void audit_action(audit::AuditChain& chain, audit::EntryType type, const admin::DeadLetterSelection& which,
                  std::uint64_t count) {
  audit::DeadLetterAudit a;
  a.target = which.target;
  a.selection = which.keys.empty() ? "all" : "keys";
  a.role = which.requested_by.empty() ? "unknown" : which.requested_by;
  a.keys = static_cast<std::int64_t>(which.keys.size());
  a.count = static_cast<std::int64_t>(count);
  append_audit(chain, type, a);
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
  audit_action(*audit_, audit::EntryType::dlq_replay, which, removed);
  return s;
}

sdk::Status Gateway::dlq_drop(const admin::DeadLetterSelection& which, std::uint64_t& dropped) {
  dropped = 0;
  if (!spools_.count(which.target)) return unknown_target(which.target);
  std::uint64_t selected = 0;
  auto discard = [](const std::vector<spool::DeadLetter>&, std::uint64_t) { return sdk::Status::Ok(); };
  sdk::Status s = dlq_->remove(which.target, which.keys, kReplayChunk, discard, selected, dropped);
  log(sdk::LogLevel::info, "dlq",
      "dropped " + std::to_string(dropped) + " dead letters of target '" + which.target + "'" +
          (s.ok() ? "" : ": " + s.message()));
  audit_action(*audit_, audit::EntryType::dlq_drop, which, dropped);
  return s;
}

void Gateway::apply_dlq_retention(std::chrono::system_clock::time_point now) {
  const std::int64_t retention_ms = checked_.config.dlq.retention_ms;
  if (retention_ms <= 0) return;
  std::vector<std::pair<std::string, std::size_t>> removed;
  sdk::Status s = dlq_->remove_older_than(now - std::chrono::milliseconds(retention_ms), removed);
  for (const auto& [target, n] : removed) {
    log(sdk::LogLevel::info, "dlq",
        "retention removed " + std::to_string(n) + " dead letter" + (n == 1 ? "" : "s") + " of target '" + target +
            "' older than dlq.retention (" + std::to_string(retention_ms / 1000) + " s)");
    audit::DeadLetterAudit a;
    a.target = target;
    a.selection = "retention";  // older than dlq.retention, removed by medgated itself
    a.role = "medgated";
    a.count = static_cast<std::int64_t>(n);
    append_audit(*audit_, audit::EntryType::dlq_drop, a);
  }
  if (!s.ok()) log(sdk::LogLevel::error, "dlq", "retention: " + s.message());
}

}  // namespace medgate::runtime
