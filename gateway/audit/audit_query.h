// Which audit entries a compliance officer asked for (medgatectl audit query),
// and how one reads on a terminal.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "audit/audit_line.h"
#include "audit/audit_reader.h"

namespace medgate::audit {

struct AuditQuery {
  std::optional<std::chrono::system_clock::time_point> since;  // inclusive
  std::optional<std::chrono::system_clock::time_point> until;  // exclusive
  std::string source, target, rule, record_id, patient_token;  // empty: any; rule = a field path
  bool all_types = false;  // also segment headers, checkpoints, retention, dead-letter and quarantine entries
};

// True when the entry passes every filter. Records and handle openings (a
// target reading a record's encrypted contact in clear) are always candidates;
// other entries only with all_types. Filters on record members (rule, record
// id, patient token) pass only those two; for a handle opening, the rule is
// the field that held the handle. The source filter also passes a source's
// quarantine reads and removals, the target filter a target's dead-letter
// actions.
bool matches(const AuditQuery& query, const AuditLine& entry);

// One entry as text: a heading line, then one indented line per field.
std::string format_entry(const AuditLine& entry, const EntryPlace& place);

}  // namespace medgate::audit
