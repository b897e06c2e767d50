// The audit log's on-disk rules shared by the writer (audit_chain) and the
// readers (audit_verifier, query, report): segment file names, the bytes an
// entry's hash covers, and the statements checkpoints and retention entries
// sign. docs/audit.md states the same rules for independent verifiers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace medgate::audit {

// Written in every segment header; a reader refuses other formats.
inline constexpr const char* kFormat = "medgate-audit/1";
// The "prev" of the very first entry.
inline constexpr const char* kGenesis = "0000000000000000000000000000000000000000000000000000000000000000";

// "audit-00000001.ndjson" for segment 1 (at least 8 digits).
std::string segment_file_name(std::uint64_t n);
// The segment number of such a name; false for any other name.
bool parse_segment_file_name(std::string_view name, std::uint64_t& n);

// hash = hex(SHA-256(prev || '\n' || body || '}')), where body is the line up
// to (not including) its ,"hash": member.
std::string entry_hash(std::string_view prev, std::string_view body);

// The exact bytes a checkpoint's Ed25519 signature covers.
std::string checkpoint_statement(std::uint64_t seq, std::string_view time, std::string_view reason,
                                 std::uint64_t first_seq, std::uint64_t last_seq, std::string_view prev);

struct RetentionStatement {
  std::uint64_t seq = 0;
  std::string time;
  std::uint64_t first_segment = 0, last_segment = 0, first_seq = 0, last_seq = 0;
  std::uint64_t kept_segment = 0, kept_seq = 0;
  std::string kept_prev, prev;
};
// The exact bytes a retention entry's signature covers.
std::string retention_statement(const RetentionStatement& r);

}  // namespace medgate::audit
