// One line of the audit log, parsed and checked for shape: a JSON object whose
// last two members are "prev" and "hash", with the members its type needs.
// Whether the hash is right and the line sits where it belongs is
// audit_verifier's job. docs/audit.md describes every entry type.
// Depends on the SDK only, so the fuzz target (tests/fuzz/fuzz_audit_line.cpp)
// can build it alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "medgate/sdk/status.h"

namespace medgate::audit {

enum class EntryType {
  segment,
  record,
  checkpoint,
  retention,
  dlq_replay,
  dlq_drop,
  quarantine_open,
  quarantine_drop,
  handle_open
};

// What one policy rule did to one field of a record: never a value.
struct FieldRecord {
  std::string path, method, key_id;                         // key_id empty when none
  std::vector<std::pair<std::string, std::int64_t>> found;  // scrub: placeholder type -> count
};

struct SegmentHeader {
  std::string format;  // "medgate-audit/1"
  std::uint64_t segment = 0;
};

struct RecordAudit {
  std::string record_id, source, target, patient_token, policy;
  std::int64_t policy_version = 0;
  std::vector<FieldRecord> fields;
};

struct CheckpointInfo {
  std::string reason;                         // interval, entries, rotate, close, recover
  std::uint64_t first_seq = 0, last_seq = 0;  // the entries it covers since the previous signed one
  std::string key, sig;                       // key fingerprint, hex signature
};

struct RetentionInfo {
  std::uint64_t first_segment = 0, last_segment = 0;  // removed segments
  std::uint64_t first_seq = 0, last_seq = 0;          // removed entries
  std::uint64_t kept_segment = 0, kept_seq = 0;       // where the kept log starts
  std::string kept_prev;                              // the prev of the kept log's first entry
  std::string key, sig;
};

struct DeadLetterAudit {
  // selection: "all", "keys", or "retention" (dropped by medgated itself, role
  // "medgated", as older than dlq.retention)
  std::string target, selection, role;
  std::int64_t keys = 0, count = 0;  // idempotency keys named; dead letters replayed or dropped
};

// Somebody read a quarantined input in clear (medgatectl quarantine show).
struct QuarantineOpenAudit {
  std::string source;      // the source whose quarantine it is
  std::uint64_t entry = 0; // 1-based position in that source's quarantine file
  std::string entry_time;  // the quarantined entry's own time, to tell it apart
  std::string role;        // admin-API role that asked
};

// Quarantined inputs removed (medgatectl quarantine drop, or by medgated
// itself as older than quarantine.retention). Counts only.
struct QuarantineDropAudit {
  std::string source;     // the source whose quarantine it is
  std::string selection;  // "entries" (named by number), "all", or "retention"
  std::string role;       // admin-API role that asked; "medgated" for retention
  std::int64_t count = 0; // inputs removed
};

// A target opened an encrypted handle of a record it was delivering (SDK
// handle_opener()): the contact identifier inside was read in clear to reach
// the person. Names where the handle sat, never what it holds.
struct HandleOpenAudit {
  std::string target;         // the target that opened it
  std::string record_id;      // the record being delivered that holds the handle
  std::string source;         // that record's source
  std::string patient_token;  // that record's patient.token ("" when the policy dropped it)
  std::string field;          // where in the record: e.g. channels.phone_handle
  std::string key_id;         // the data key the handle was made with
};

struct AuditLine {
  std::uint64_t seq = 0;
  EntryType type = EntryType::record;
  std::string type_name;
  std::string time;
  std::string prev, hash;
  // The hashed bytes are prev, '\n', the line's first `body_size` bytes
  // (everything before ,"hash":), and '}'.
  std::size_t body_size = 0;
  SegmentHeader header;
  RecordAudit record;
  CheckpointInfo checkpoint;
  RetentionInfo retention;
  DeadLetterAudit dead_letters;
  QuarantineOpenAudit quarantine;
  QuarantineDropAudit quarantine_drop;
  HandleOpenAudit handle;
};

// Ok, or an error saying what is wrong with the line (never quoting values).
sdk::Status parse_audit_line(std::string_view line, AuditLine& out);

const char* entry_type_name(EntryType t) noexcept;
bool is_signed(EntryType t) noexcept;  // checkpoint and retention entries carry a signature

}  // namespace medgate::audit
