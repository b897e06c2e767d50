// Quarantine: raw input a source could not turn into records (or that the
// gateway refused), kept for inspection. Raw input may hold personal data, so
// each entry's raw bytes are encrypted at rest with AES-256-GCM under a key
// derived from a configured secret (HMAC-SHA256(secret, "medgate quarantine
// v1")); the reason is stored in clear and must not contain personal data.
// One NDJSON file per source under STATE/quarantine/.
//
// Every entry carries a number ("entry"), 1, 2, 3, ... per source in the
// order written, which it keeps for good: removing entries never renumbers
// the rest, and a number is not given out twice (the highest one given is
// kept in STATE/quarantine/SOURCE.last-entry when entries are removed, so
// an emptied file does not start again at 1). A line without a number (an
// unreadable line, or one written before numbers existed) counts as the
// number after the line before it; open() writes that number into every
// readable line lacking one, so older stores keep the numbers they showed.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"
#include "spool/entry_retention.h"

namespace medgate::spool {

// One input removed from a source's quarantine: where it sat, when it was
// quarantined and why (never its content).
struct RemovedQuarantineEntry {
  std::uint64_t entry = 0;  // its number
  std::string time, reason;
};

// One line of a source's quarantine as read back: its number and the stored
// object (null for an unreadable line).
struct QuarantineEntry {
  std::uint64_t entry = 0;
  sdk::Value value;
};

class QuarantineStore {
 public:
  QuarantineStore(std::string dir, std::string secret);
  // Creates the directory; numbers the lines of existing files that have no
  // number yet (and ends a torn last line, so the next entry is not glued
  // to it); learns each source's highest number.
  sdk::Status open();
  sdk::Status add(const std::string& source, std::string_view raw, std::string_view reason);
  // Decrypts one stored entry's "sealed" field (base64 nonce||ciphertext||tag).
  sdk::Status open_sealed(std::string_view sealed_b64, std::string& raw) const;
  std::string file_for(const std::string& source) const { return dir_ + "/" + source + ".ndjson"; }
  // Every line of `source`'s file, in order, numbered.
  std::vector<QuarantineEntry> entries(const std::string& source) const;

  // Retention: removes from every source's file the entries written before
  // `cutoff` (and unreadable lines among them), rewriting the file
  // atomically; entries are appended in time order, so these are the file's
  // first lines: each file is read only up to its first entry that is kept.
  // Each source's file only once `before` agrees (entry_retention.h).
  // `removed` gets (source, entries removed) for each file that shrank.
  sdk::Status remove_older_than(std::chrono::system_clock::time_point cutoff, const BeforeRemoval& before,
                                std::vector<std::pair<std::string, std::size_t>>& removed);

  // Removes the entries with the given numbers (as listed) from `source`'s
  // file, or all of them when `entries` is empty, rewriting the file
  // atomically, once `before` agrees to the count. Nothing is removed when a
  // number is not there (invalid_argument naming it and the count) or when
  // `before` refuses (its status). The others keep their numbers.
  sdk::Status remove_entries(const std::string& source, const std::vector<std::uint64_t>& entries,
                             const BeforeRemoval& before, std::vector<RemovedQuarantineEntry>& removed);

 private:
  std::string last_entry_file(const std::string& source) const { return dir_ + "/" + source + ".last-entry"; }
  sdk::Status number_file(const std::string& source);
  sdk::Status keep_last_entry(const std::string& source);

  std::string dir_;
  std::string key_;  // 32 bytes
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> last_;  // per source: the highest number given
};

}  // namespace medgate::spool
