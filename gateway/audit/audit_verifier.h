// Offline verification of an audit log (a directory, or one segment file):
// every entry's hash, the prev links, seq continuity, segment headers and
// numbering, checkpoint and retention signatures, and what the end of the log
// says. Stops at the first bad entry and names it. docs/audit.md states the
// algorithm step by step.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/ed25519.h"

namespace medgate::audit {

struct VerifyOptions {
  // Verifying keys; a signed entry names the key (fingerprint) that signed
  // it. Empty: only the hash chain is checked, which anyone can recompute.
  std::vector<std::shared_ptr<const crypto::Ed25519Key>> keys;
  // The log must end with a "close" checkpoint (a copy of the log of a
  // stopped medgated): otherwise the end may have been cut off.
  bool require_closed = false;
  // An entry seen before (e.g. the last signed one of an earlier verify):
  // it must still be there with this hash, unless retention removed it.
  std::optional<std::pair<std::uint64_t, std::string>> anchor;
};

struct VerifyProblem {
  std::string file;       // the segment file it is in (or the missing one)
  std::size_t line = 0;   // from 1; 0: the file as a whole
  std::uint64_t seq = 0;  // 0: unknown
  // modified, removed, reordered, truncated, bad signature, segment missing,
  // unreadable, unsupported
  std::string kind;
  std::string detail;
  // "FILE:LINE: seq N: KIND: detail" (LINE and seq left out when unknown)
  std::string text() const;
};

struct VerifyReport {
  std::string path;
  bool single_segment = false;  // PATH was one segment file
  std::optional<VerifyProblem> problem;
  std::vector<std::string> warnings;
  std::vector<std::string> notes;  // what else was established (retention, anchor)
  std::uint64_t segments = 0, first_segment = 0, last_segment = 0;
  std::uint64_t first_seq = 0, last_seq = 0;
  std::string last_hash;
  std::uint64_t records = 0, dead_letter_actions = 0, checkpoints = 0, retentions = 0;
  std::uint64_t quarantine_opens = 0;  // quarantined inputs read in clear
  std::uint64_t quarantine_drops = 0;  // removals of quarantined inputs (by hand or retention)
  std::uint64_t handle_opens = 0;      // encrypted handles opened by targets
  bool signatures_checked = false;
  std::uint64_t signatures_verified = 0;
  std::vector<std::string> key_fingerprints;  // of the keys that verified something
  std::uint64_t last_signed_seq = 0;          // 0: none
  std::string last_signed_hash, last_signed_time;
  std::uint64_t unsigned_entries = 0;  // after the last signed entry
  bool closed = false;                 // ends with a close checkpoint

  bool intact() const noexcept { return !problem.has_value(); }
};

VerifyReport verify_audit_log(const std::string& path, const VerifyOptions& options);

// Human-readable lines: the verdict first (one line), then details.
std::vector<std::string> describe(const VerifyReport& report);

}  // namespace medgate::audit
