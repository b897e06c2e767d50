// Stage 4, audit: one entry per record and target saying what was done to
// each field (path, method, key id, scrub findings), never a value. Entries
// are NDJSON lines in append-only segment files (DIR/audit-NNNNNNNN.ndjson),
// each starting with a header entry; every entry carries the hash of the
// previous one, so that any change, removal or reordering breaks the chain:
//   hash = hex(SHA-256(prev_hash || '\n' || entry JSON without "hash"))
// Checkpoint entries, signed with Ed25519, vouch for everything before them:
// on a timer (the runtime's AuditCheckpointer), every N entries, when a
// segment rolls, at close, and at open after a crash. Retention removes whole
// oldest segments after a signed statement saying so.
// docs/audit.md describes the format for independent verifiers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "audit/audit_format.h"
#include "audit/audit_line.h"
#include "crypto/ed25519.h"
#include "medgate/sdk/status.h"
#include "pipeline/field_methods.h"

namespace medgate::audit {

struct AuditEntry {
  std::string record_id;
  std::string source;
  std::string target;
  std::string patient_token;
  std::string policy;
  std::int64_t policy_version = 0;
  std::vector<pipeline::FieldAction> actions;
};

struct AuditChainOptions {
  std::string dir;
  std::uint64_t segment_bytes = 64ull << 20;  // roll after this size
  std::uint64_t checkpoint_entries = 10000;   // sign after this many unsigned entries; 0: never for that reason
  std::chrono::milliseconds retention{0};     // remove segments older than this; 0: keep forever
};

// What apply_retention() removed (nothing when last_segment is 0).
struct RetentionResult {
  std::uint64_t first_segment = 0, last_segment = 0;
  std::uint64_t statement_seq = 0;
};

class AuditChain {
 public:
  AuditChain(AuditChainOptions options, std::shared_ptr<const crypto::Ed25519Key> signing_key);
  ~AuditChain();  // close()
  AuditChain(const AuditChain&) = delete;
  AuditChain& operator=(const AuditChain&) = delete;

  // Locks the directory (one writer), finds the last segment, cuts a torn
  // last line, restores seq and hash, finishes an interrupted roll, and signs
  // a "recover" checkpoint over entries a crash left unsigned.
  sdk::Status open();
  // Appends entries and makes them durable before returning.
  sdk::Status append(const std::vector<AuditEntry>& entries, const std::string& time);
  // A dead-letter replay or drop (type dlq_replay or dlq_drop).
  sdk::Status append_dead_letters(EntryType type, const DeadLetterAudit& action);
  // A quarantined input read in clear (type quarantine_open); durable on return.
  sdk::Status append_quarantine_open(const QuarantineOpenAudit& action);
  // Quarantined inputs removed (type quarantine_drop).
  sdk::Status append_quarantine_drop(const QuarantineDropAudit& action);
  // A target opened an encrypted handle (type handle_open); durable on return.
  sdk::Status append_handle_open(const HandleOpenAudit& action);
  // Signs a checkpoint when entries were appended since the last signed entry.
  sdk::Status checkpoint(const std::string& reason = "interval");
  // Removes the oldest segments whose entries are all older than the
  // retention period (never the one being written), after appending a signed
  // retention entry that names them and where the kept chain starts.
  sdk::Status apply_retention(std::chrono::system_clock::time_point now, RetentionResult& removed);
  // Signs a "close" checkpoint unless the log already ends with one.
  sdk::Status close();

  // Things open() did that an operator should hear about (a cut torn line).
  const std::vector<std::string>& notes() const noexcept { return notes_; }
  std::uint64_t last_seq() const;
  std::uint64_t unsigned_entries() const;

 private:
  // Entries being added: applied to the chain's state only once durable.
  struct Draft {
    std::string buf;
    std::uint64_t seq = 0;
    std::string prev;
    std::uint64_t last_signed = 0;
    EntryType last_type = EntryType::segment;
    std::string last_reason;
  };
  Draft draft() const;
  std::string begin_line(Draft& d, const char* type, const std::string& time) const;
  void seal_line(Draft& d, std::string& line, EntryType type, std::string reason = {}) const;
  void add_checkpoint(Draft& d, const std::string& reason) const;
  void add_header(Draft& d, std::uint64_t segment) const;
  sdk::Status commit(Draft& d);
  // One durable entry of `type` whose members (after seq, type and time)
  // `members` appends.
  sdk::Status append_action(EntryType type, const std::function<void(std::string&)>& members);

  sdk::Status lock_dir();
  sdk::Status open_segment(std::uint64_t n, bool fresh);
  sdk::Status start_segment(std::uint64_t n);  // a new file with its header
  sdk::Status roll();
  sdk::Status roll_if_full();
  sdk::Status restore(const std::string& path, std::uint64_t number);
  sdk::Status segment_last_time(std::uint64_t n, std::chrono::system_clock::time_point& out);
  std::string segment_path(std::uint64_t n) const { return options_.dir + "/" + segment_file_name(n); }

  const AuditChainOptions options_;
  const std::shared_ptr<const crypto::Ed25519Key> key_;
  mutable std::mutex mu_;
  int fd_ = -1, lock_fd_ = -1;
  sdk::Status failed_;  // sticky after a failed fdatasync: the file's state is unknown
  std::uint64_t segment_ = 0, first_segment_ = 0;
  std::uint64_t segment_size_ = 0;
  std::uint64_t seq_ = 0, last_signed_seq_ = 0;
  std::string last_hash_ = kGenesis;
  EntryType last_type_ = EntryType::segment;
  std::string last_reason_;
  std::uint64_t header_seq_ = 0;  // the current segment's header
  std::string header_prev_;
  std::map<std::uint64_t, std::chrono::system_clock::time_point> last_times_;  // closed segments
  std::vector<std::string> notes_;
};

}  // namespace medgate::audit
