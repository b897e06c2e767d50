// Dead-letter queue: records a target rejected permanently, with the reason,
// one NDJSON file per target under STATE/dlq/ (one JSON object per line:
// time, target, idempotency_key, partition_key, reason, payload). Entries are
// durable when add() returns. Operators list, show, replay and drop them
// (medgatectl dlq ...), and dlq.retention removes old ones; removal rewrites
// the file atomically, so a crash leaves either the old or the new file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "medgate/sdk/status.h"
#include "spool/entry_retention.h"
#include "spool/target_spool.h"

namespace medgate::spool {

struct DeadLetter {
  std::string time;  // RFC 3339 UTC, when it was dead-lettered
  std::string idempotency_key;
  std::string partition_key;
  std::string reason;
  std::string payload;
};

struct DeadLetterStats {
  std::uint64_t entries = 0;
  std::uint64_t bytes = 0;
  std::uint64_t unreadable = 0;  // lines that are not a dead-letter entry (kept by replay and drop)
  std::string oldest, newest;    // times of the first and last entry
};

class DeadLetters {
 public:
  explicit DeadLetters(std::string dir) : dir_(std::move(dir)) {}
  sdk::Status open();
  // Appends one entry and makes it durable.
  sdk::Status add(const std::string& target, const SpoolEntry& entry, const std::string& reason);
  std::string file_for(const std::string& target) const { return dir_ + "/" + target + ".ndjson"; }

  sdk::Status stats(const std::string& target, DeadLetterStats& out) const;
  // Entries [offset, offset + limit) in file order; `total` is the entry count.
  sdk::Status read(const std::string& target, std::uint64_t offset, std::uint64_t limit, std::vector<DeadLetter>& out,
                   std::uint64_t& total) const;

  // Removes the entries whose key is in `keys` (all entries when empty).
  // `sink` sees them first, in file order, in chunks of up to `chunk`, with
  // the number selected; when it fails, the entries of that chunk and after
  // stay. `selected` is how many entries matched, `removed` how many went.
  using Sink = std::function<sdk::Status(const std::vector<DeadLetter>& chunk, std::uint64_t selected)>;
  sdk::Status remove(const std::string& target, const std::vector<std::string>& keys, std::size_t chunk,
                     const Sink& sink, std::uint64_t& selected, std::uint64_t& removed);

  // Retention: removes from every target's file the entries dead-lettered
  // before `cutoff` (and unreadable lines among them), as
  // remove_entries_older_than() does (entry_retention.h), each target's
  // only once `before` agrees.
  sdk::Status remove_older_than(std::chrono::system_clock::time_point cutoff, const BeforeRemoval& before,
                                 std::vector<std::pair<std::string, std::size_t>>& removed);

 private:
  std::string dir_;
  mutable std::mutex mu_;  // add() and remove() exclude each other
};

}  // namespace medgate::spool
