// A target's spool: an append-only log of desensitized records on disk,
// waiting for delivery. Writers (transform workers) append batches that are
// durable (fdatasync) when append() returns; one reader (the target's
// delivery loop) reads from its cursor and acknowledges what was delivered.
// Entries become visible to the reader only once durable.
//
// On disk: DIR/NNNNNNNNNNNNNNNNNNNN.seg segment files of frames
//   [u32 body length][u32 CRC-32 of body][body]
//   body = [u16 key length][u16 partition key length][u64 accepted, Unix ms]
//          [key][partition key][payload]
// and DIR/cursor, two checksummed slots updated in place on acknowledge
// (cursor_file.h).
// A torn frame at the end of the last segment (crash mid-append) is cut off
// on open; it was never acknowledged to a source.
//
// The segment being written is zero-filled ahead of the frames, 1 MiB at
// a time (kZeroAhead), and frames are written over the zeros: an append then
// changes no file metadata, so its fdatasync flushes the data alone instead
// of also committing the file system's journal (on ext4 under the MLLP load,
// 0.24 ms instead of 0.40: docs/benchmarks.md, session 25). Zeros end the frames of the last
// segment like a torn tail does; a segment is cut to its frames (and that
// made durable) before the next one is created, so only the last one can
// hold zeros.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "medgate/sdk/status.h"
#include "spool/cursor_file.h"

namespace medgate::spool {

struct SpoolEntry {
  std::string idempotency_key;
  std::string partition_key;
  std::string payload;
  // When the entry became durable in the spool (Unix ms), set by append() and
  // read back: the start of the delivery latency the admin API reports.
  std::int64_t accepted_unix_ms = 0;
};


// Undelivered bytes in all spools together, against the configured limit.
// (Disk use can exceed it by the consumed part of each target's current segment.)
class SpoolBudget {
 public:
  explicit SpoolBudget(std::uint64_t max_bytes) : max_(max_bytes) {}
  // Reserves `n` bytes; false (nothing reserved) when that would pass the limit.
  bool try_reserve(std::uint64_t n);
  void add(std::uint64_t n) { used_ += n; }
  void release(std::uint64_t n) { used_ -= n; }
  std::uint64_t used() const { return used_; }
  std::uint64_t max() const { return max_; }
  // True while the largest recently refused reservation still would not fit:
  // a source is being refused (readiness says so). Clears by itself once the
  // targets free enough, or when a reservation that large succeeds.
  bool refusing() const;

 private:
  std::atomic<std::uint64_t> used_{0};
  std::atomic<std::uint64_t> refused_{0};  // largest refused request since the last one that size fit
  const std::uint64_t max_;
};

class TargetSpool {
 public:
  TargetSpool(std::string dir, std::uint64_t segment_bytes, SpoolBudget& budget);
  ~TargetSpool();
  TargetSpool(const TargetSpool&) = delete;
  TargetSpool& operator=(const TargetSpool&) = delete;

  // Recovers the segments and the cursor. Call once before anything else.
  sdk::Status open();

  // Bytes `entries` will take on disk (to reserve budget before appending).
  static std::uint64_t frame_bytes(const std::vector<SpoolEntry>& entries);
  // Appends and makes durable. The caller reserved frame_bytes(entries) in the budget.
  sdk::Status append(const std::vector<SpoolEntry>& entries);

  struct ReadEntry {
    SpoolEntry entry;
    Position end;  // acknowledge this to consume the entry and all before it
  };
  // Reads up to `max` durable entries after the read position (reader thread only).
  sdk::Status read(std::size_t max, std::vector<ReadEntry>& out);
  // Waits until durable entries are available to read, `wait` passes, or wake().
  bool wait_for_data(std::chrono::milliseconds wait);
  void wake();
  // Persists the cursor at `p` and removes fully consumed segments.
  sdk::Status acknowledge(Position p);

  Position cursor() const { return cursor_; }
  // Bytes of the segments on disk (a segment goes once all of it is acknowledged).
  std::uint64_t disk_bytes() const { return disk_bytes_.load(); }

 private:
  std::string segment_path(std::uint64_t seq) const;
  sdk::Status open_segment_for_append(std::uint64_t seq, bool create);
  sdk::Status recover_tail(std::uint64_t seq, std::uint64_t& valid_end, std::uint64_t& file_end);
  // Writes zeros after the frames so that the next appends overwrite instead
  // of extend; when they do not fit on the disk, writes none.
  void zero_ahead(std::uint64_t frames_end);
  // Cuts the write segment to its frames, durably (before rolling, or after a failed write).
  sdk::Status cut_to_frames();

  const std::string dir_;
  const std::uint64_t segment_bytes_;
  SpoolBudget& budget_;

  std::mutex write_mu_;  // serializes appends
  int write_fd_ = -1;
  std::uint64_t write_seq_ = 0;
  std::uint64_t write_size_ = 0;  // bytes of frames in the write segment
  std::uint64_t file_size_ = 0;   // its size on disk: the frames, then zeros

  mutable std::mutex state_mu_;  // guards segments_, durable_, woken_
  std::condition_variable data_cv_;
  std::deque<std::pair<std::uint64_t, std::uint64_t>> segments_;  // (seq, bytes), oldest first
  Position durable_;
  bool woken_ = false;
  std::atomic<std::uint64_t> disk_bytes_{0};

  // Reader state (reader thread only).
  Position read_pos_;
  Position cursor_;
  CursorFile cursor_file_;
  int read_fd_ = -1;
  std::uint64_t read_fd_seq_ = 0;
  std::string read_buf_;
};

}  // namespace medgate::spool
