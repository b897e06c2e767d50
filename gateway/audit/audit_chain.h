// Stage 4, audit: one entry per record and target saying what was done to
// each field (path, method, key id, scrub findings), never a value. Entries
// are NDJSON lines in append-only segment files (DIR/audit-NNNNNNNN.ndjson);
// each carries the hash of the previous entry, so that any change, removal or
// reordering breaks the chain:
//   hash = hex(SHA-256(prev_hash || '\n' || entry JSON without "hash"))
// docs/audit.md describes the format for independent verifiers.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

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

class AuditChain {
 public:
  AuditChain(std::string dir, std::uint64_t segment_bytes) : dir_(std::move(dir)), segment_bytes_(segment_bytes) {}
  ~AuditChain();
  // Finds the last segment, cuts a torn last line, and restores seq and hash.
  sdk::Status open();
  // Appends entries and makes them durable before returning.
  sdk::Status append(const std::vector<AuditEntry>& entries, const std::string& time);

  static constexpr const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

 private:
  std::string segment_path(std::uint64_t n) const;
  sdk::Status open_segment(std::uint64_t n);

  const std::string dir_;
  const std::uint64_t segment_bytes_;
  std::mutex mu_;
  int fd_ = -1;
  std::uint64_t segment_ = 0;
  std::uint64_t segment_size_ = 0;
  std::uint64_t seq_ = 0;
  std::string last_hash_ = kGenesis;
};

}  // namespace medgate::audit
