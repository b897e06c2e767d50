#include "audit/audit_query.h"

#include <filesystem>

#include "spool/timestamps.h"

namespace medgate::audit {

bool matches(const AuditQuery& q, const AuditLine& e) {
  if (!q.all_types && e.type != EntryType::record) return false;
  if (q.since || q.until) {
    std::chrono::system_clock::time_point t;
    if (!spool::parse_rfc3339(e.time, t)) return false;
    if (q.since && t < *q.since) return false;
    if (q.until && t >= *q.until) return false;
  }
  const bool record = e.type == EntryType::record;
  if (!q.target.empty()) {
    const std::string* target = record ? &e.record.target
                                : (e.type == EntryType::dlq_replay || e.type == EntryType::dlq_drop)
                                    ? &e.dead_letters.target
                                    : nullptr;
    if (!target || *target != q.target) return false;
  }
  if (!q.source.empty() || !q.rule.empty() || !q.record_id.empty() || !q.patient_token.empty()) {
    if (!record) return false;
    const auto& r = e.record;
    if (!q.source.empty() && r.source != q.source) return false;
    if (!q.record_id.empty() && r.record_id != q.record_id) return false;
    if (!q.patient_token.empty() && r.patient_token != q.patient_token) return false;
    if (!q.rule.empty()) {
      bool found = false;
      for (const auto& f : r.fields) found |= f.path == q.rule;
      if (!found) return false;
    }
  }
  return true;
}

std::string format_entry(const AuditLine& e, const EntryPlace& place) {
  std::string out = e.time + "  seq " + std::to_string(e.seq) + "  ";
  const std::string where =
      place.file ? std::filesystem::path(place.file->path).filename().string() + ":" + std::to_string(place.line) : "";
  switch (e.type) {
    case EntryType::record: {
      const auto& r = e.record;
      out += "record " + r.record_id + "  " + r.source + " -> " + r.target + "  patient " +
             (r.patient_token.empty() ? "-" : r.patient_token) + "  policy " + r.policy + " v" +
             std::to_string(r.policy_version) + "  (" + where + ")\n";
      for (const auto& f : r.fields) {
        out += "    " + f.path + "  " + f.method;
        if (!f.key_id.empty()) out += "  key " + f.key_id;
        if (!f.found.empty()) {
          out += "  found";
          for (const auto& [type, n] : f.found) out += " " + type + "=" + std::to_string(n);
        }
        out += "\n";
      }
      return out;
    }
    case EntryType::checkpoint:
      return out + "checkpoint (" + e.checkpoint.reason + ") covering seqs " + std::to_string(e.checkpoint.first_seq) +
             ".." + std::to_string(e.checkpoint.last_seq) + ", key " + e.checkpoint.key + "  (" + where + ")\n";
    case EntryType::retention:
      return out + "retention: removed segments " + std::to_string(e.retention.first_segment) + ".." +
             std::to_string(e.retention.last_segment) + " (seqs " + std::to_string(e.retention.first_seq) + ".." +
             std::to_string(e.retention.last_seq) + "); the log now starts at segment " +
             std::to_string(e.retention.kept_segment) + ", seq " + std::to_string(e.retention.kept_seq) + "  (" +
             where + ")\n";
    case EntryType::segment:
      return out + "segment " + std::to_string(e.header.segment) + " starts  (" + where + ")\n";
    case EntryType::dlq_replay:
    case EntryType::dlq_drop: {
      const auto& d = e.dead_letters;
      return out + (e.type == EntryType::dlq_replay ? "dead letters replayed" : "dead letters dropped") + ": target " +
             d.target + ", " + std::to_string(d.count) + " (" +
             (d.selection == "all" ? std::string("all") : std::to_string(d.keys) + " keys named") + ") by role " +
             d.role + "  (" + where + ")\n";
    }
    case EntryType::quarantine_open: {
      const auto& q = e.quarantine;
      return out + "quarantined input read in clear: source " + q.source + ", entry " + std::to_string(q.entry) +
             " (quarantined " + q.entry_time + ") by role " + q.role + "  (" + where + ")\n";
    }
  }
  return out + "\n";
}

}  // namespace medgate::audit
