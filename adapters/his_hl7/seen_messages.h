// Which messages were already accepted, by sender and control id (MSH-3,
// MSH-4, MSH-10), so that a message sent again (a sender that missed our ACK
// resends it) is acknowledged without being processed twice.
//
// The last `capacity` keys are kept in memory and in STATE_DIR/seen-messages
// (one hex-encoded key per line, appended with one write(2) per batch of
// accepted messages, rewritten when the file holds twice the capacity). No fsync: a
// crash of medgated keeps what the kernel has; a crash of the machine may
// forget the last few keys, and a resent message then goes through once more,
// which the targets absorb by their idempotency keys (the record id is derived
// from the same sender and control id).
//
// A message in flight on one connection makes a copy arriving on another wait
// for its outcome instead of being processed beside it.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <medgate/sdk/status.h>

namespace medgate::his_hl7 {

class SeenMessages {
 public:
  SeenMessages(std::string path, std::size_t capacity) : path_(std::move(path)), capacity_(capacity) {}
  ~SeenMessages();
  SeenMessages(const SeenMessages&) = delete;
  SeenMessages& operator=(const SeenMessages&) = delete;

  // Loads the file (a missing one is empty); an unreadable one is an error.
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

 private:
  void remember_locked(const std::string& key);
  sdk::Status append_locked(const std::string& lines, std::size_t count);
  sdk::Status rewrite_locked();

  std::string path_;
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::unordered_set<std::string> seen_;
  std::deque<std::string> order_;  // oldest first
  std::unordered_set<std::string> in_flight_;
  int fd_ = -1;
  std::size_t lines_in_file_ = 0;
};

}  // namespace medgate::his_hl7
