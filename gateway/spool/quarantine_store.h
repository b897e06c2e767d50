// Quarantine: raw input a source could not turn into records (or that the
// gateway refused), kept for inspection. Raw input may hold personal data, so
// each entry's raw bytes are encrypted at rest with AES-256-GCM under a key
// derived from a configured secret (HMAC-SHA256(secret, "medgate quarantine
// v1")); the reason is stored in clear and must not contain personal data.
// One NDJSON file per source under STATE/quarantine/.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/status.h"

namespace medgate::spool {

// One input removed from a source's quarantine: where it sat, when it was
// quarantined and why (never its content).
struct RemovedQuarantineEntry {
  std::size_t entry = 0;  // 1-based position before the removal
  std::string time, reason;
};

class QuarantineStore {
 public:
  QuarantineStore(std::string dir, std::string secret);
  sdk::Status open();
  sdk::Status add(const std::string& source, std::string_view raw, std::string_view reason);
  // Decrypts one stored entry's "sealed" field (base64 nonce||ciphertext||tag).
  sdk::Status open_sealed(std::string_view sealed_b64, std::string& raw) const;
  std::string file_for(const std::string& source) const { return dir_ + "/" + source + ".ndjson"; }

  // Retention: removes from every source's file the entries written before
  // `cutoff` (and unreadable lines among them), rewriting the file
  // atomically; entries are appended in time order, so these are the file's
  // first lines: each file is read only up to its first entry that is kept.
  // `removed` gets (source, entries removed) for each file that shrank.
  sdk::Status remove_older_than(std::chrono::system_clock::time_point cutoff,
                                std::vector<std::pair<std::string, std::size_t>>& removed);

  // Removes the given entries (1-based positions, as listed) from `source`'s
  // file, or all of them when `entries` is empty, rewriting the file
  // atomically. Nothing is removed when a position is past the end
  // (invalid_argument naming the count). Later entries move up.
  sdk::Status remove_entries(const std::string& source, const std::vector<std::size_t>& entries,
                             std::vector<RemovedQuarantineEntry>& removed);

 private:
  std::string dir_;
  std::string key_;  // 32 bytes
  std::mutex mu_;
};

}  // namespace medgate::spool
