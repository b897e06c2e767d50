// Which messages were already accepted, by sender and control id (MSH-3,
// MSH-4, MSH-10), so that a message sent again (a sender that missed our ACK
// resends it) is acknowledged without being processed twice.
//
// The last `capacity` keys are kept in memory and in STATE_DIR/seen-messages
// (one hex-encoded key per line, appended with one write(2) per batch of
// accepted messages). No fsync on append: a crash of medgated keeps what the
// kernel has; a crash of the machine may forget the last few keys, and a
// resent message then goes through once more, which the targets absorb by
// their idempotency keys (the record id is derived from the same sender and
// control id).
//
// When the file holds more than twice the capacity, a thread of this object
// compacts it: the remembered keys are written to a new file, synced and
// renamed over the old one. Claims and appends go on meanwhile (the write
// and the sync, tens of milliseconds for 100,000 keys, happen outside the
// lock); what is appended during a compaction is copied into the new file
// before the rename. A compaction due at destruction is done before it
// returns; one that fails is retried on the next append and its error is
// returned by the next finish().
//
// A message in flight on one connection makes a copy arriving on another wait
// for its outcome instead of being processed beside it.
#pragma once

#include <medgate/sdk/status.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

namespace medgate::his_hl7 {

class SeenMessages {
 public:
  SeenMessages(std::string path, std::size_t capacity) : path_(std::move(path)), capacity_(capacity) {}
  ~SeenMessages();  // finishes a compaction under way or due
  SeenMessages(const SeenMessages&) = delete;
  SeenMessages& operator=(const SeenMessages&) = delete;

  // Loads the file (a missing one is empty; an unreadable one is an error),
  // compacts it if it is due, and starts the compaction thread.
  sdk::Status open();

  enum class Claim { first, already_accepted, in_flight };
  // `first`: the caller processes the message and must call finish(). Waits
  // while another caller holds the same key (never returns in_flight).
  Claim claim(const std::string& key);
  // Like claim() but never waits: `in_flight` when another caller holds the
  // key. For a caller holding claims already (waiting then could deadlock).
  Claim try_claim(const std::string& key);
  // Ends a claim; `accepted` remembers the key (a failed write is returned,
  // the key is still remembered in memory).
  sdk::Status finish(const std::string& key, bool accepted);
  // Ends several claims as finish() would, with one write for all the keys
  // accepted.
  struct Outcome {
    const std::string& key;
    bool accepted;
  };
  sdk::Status finish_all(const std::vector<Outcome>& outcomes);

  std::size_t size() const;

  // Tests only, set before open(): called on the compaction thread after the
  // new file holds the remembered keys and before what was appended
  // meanwhile is added to it.
  void set_compaction_hook(std::function<void()> hook) { compaction_hook_ = std::move(hook); }

 private:
  // Whether `key` was new (and is now the newest remembered).
  bool remember_locked(const std::string& key);
  sdk::Status append_locked(const std::string& lines, std::size_t count);
  void compact_loop();
  // Called and returns with `lock` held; releases it while writing and syncing.
  sdk::Status compact(std::unique_lock<std::mutex>& lock);

  std::string path_;
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::unordered_set<std::string> seen_;
  std::deque<std::string> order_;  // oldest first
  std::unordered_set<std::string> in_flight_;
  int fd_ = -1;
  std::size_t lines_in_file_ = 0, bytes_in_file_ = 0;
  // Every line of the file is a remembered key, in the order remembered, so
  // that its last order_.size() lines are the remembered keys.
  bool file_is_history_ = true;

  std::thread compactor_;
  std::condition_variable compaction_wanted_;
  bool compaction_due_ = false, compacting_ = false, stopping_ = false;
  std::string appended_meanwhile_;                      // lines appended while compacting, for the new file
  bool appended_meanwhile_ok_ = true;                   // no append failed during the compaction
  sdk::Status compaction_failure_ = sdk::Status::Ok();  // returned by the next finish()
  std::function<void()> compaction_hook_;
};

}  // namespace medgate::his_hl7
