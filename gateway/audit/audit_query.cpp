#include "audit/audit_query.h"

#include <filesystem>
#include <optional>

#include "spool/timestamps.h"

namespace medgate::audit {

namespace {
// The members the record filters look at, for the entries that have them:
// records, and handle openings (a use of one record's data).
struct RecordView {
  const std::string *source, *target, *record_id, *patient_token;
};
std::optional<RecordView> record_view(const AuditLine& e) {
  if (e.type == EntryType::record)
    return RecordView{&e.record.source, &e.record.target, &e.record.record_id, &e.record.patient_token};
  if (e.type == EntryType::handle_open)
    return RecordView{&e.handle.source, &e.handle.target, &e.handle.record_id, &e.handle.patient_token};
  return std::nullopt;
}
bool has_rule(const AuditLine& e, const std::string& rule) {
  if (e.type == EntryType::handle_open) return e.handle.field == rule;
  for (const auto& f : e.record.fields)
    if (f.path == rule) return true;
  return false;
}
}  // namespace

bool matches(const AuditQuery& q, const AuditLine& e) {
  const std::optional<RecordView> record = record_view(e);
  if (!q.all_types && !record) return false;
  if (q.since || q.until) {
    std::chrono::system_clock::time_point t;
    if (!spool::parse_rfc3339(e.time, t)) return false;
    if (q.since && t < *q.since) return false;
    if (q.until && t >= *q.until) return false;
  }
  if (!q.target.empty()) {
    const std::string* target = record ? record->target
                                : (e.type == EntryType::dlq_replay || e.type == EntryType::dlq_drop)
                                    ? &e.dead_letters.target
                                    : nullptr;
    if (!target || *target != q.target) return false;
  }
  if (!q.source.empty()) {
    const std::string* source = record                                 ? record->source
                                : e.type == EntryType::quarantine_open ? &e.quarantine.source
                                : e.type == EntryType::quarantine_drop ? &e.quarantine_drop.source
                                                                       : nullptr;
    if (!source || *source != q.source) return false;
  }
  if (!q.rule.empty() || !q.record_id.empty() || !q.patient_token.empty()) {
    if (!record) return false;
    if (!q.record_id.empty() && *record->record_id != q.record_id) return false;
    if (!q.patient_token.empty() && *record->patient_token != q.patient_token) return false;
    if (!q.rule.empty() && !has_rule(e, q.rule)) return false;
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
             (d.selection == "keys" ? std::to_string(d.keys) + " keys named" : d.selection) + ") by " +
             (d.selection == "retention" ? std::string("dlq.retention") : "role " + d.role) + "  (" + where + ")\n";
    }
    case EntryType::quarantine_open: {
      const auto& q = e.quarantine;
      return out + "quarantined input read in clear: source " + q.source + ", entry " + std::to_string(q.entry) +
             " (quarantined " + q.entry_time + ") by role " + q.role + "  (" + where + ")\n";
    }
    case EntryType::quarantine_drop: {
      const auto& q = e.quarantine_drop;
      return out + "quarantined inputs removed: source " + q.source + ", " + std::to_string(q.count) + " (" +
             q.selection + ") by " + (q.selection == "retention" ? std::string("quarantine.retention") : "role " + q.role) +
             "  (" + where + ")\n";
    }
    case EntryType::handle_open: {
      const auto& h = e.handle;
      return out + "handle opened by target " + h.target + ": record " + h.record_id + "  " +
             (h.source.empty() ? "-" : h.source) + "  patient " + (h.patient_token.empty() ? "-" : h.patient_token) +
             "  field " + h.field + "  key " + h.key_id + "  (" + where + ")\n";
    }
  }
  return out + "\n";
}

}  // namespace medgate::audit
