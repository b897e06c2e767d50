// Spaces a target's deliveries (targets.NAME.delivery_interval). Under a
// steady stream every group commit makes a few records readable, and a
// target that delivered each group on its own would pay a deliver() call, an
// output flush and a cursor fdatasync per group. The pacer has the runner
// read again only `interval` after its previous read, so what became
// readable meanwhile goes in one batch. It never delays:
//   - the first records after a quiet spell (the previous read is older than
//     the interval): they are read at once;
//   - a backlog: when the previous read filled a whole batch (batch_max),
//     the next one follows at once;
//   - a drain or a stop (the runner skips the wait).
// Interval 0 reads as soon as records are readable.
#pragma once

#include <chrono>
#include <cstddef>

namespace medgate::runtime {

class DeliveryPacer {
 public:
  using Clock = std::chrono::steady_clock;

  DeliveryPacer(std::chrono::milliseconds interval, std::size_t batch_max)
      : interval_(interval.count() < 0 ? std::chrono::milliseconds(0) : interval), batch_max_(batch_max) {}

  // When the runner may read next (at or before `now`: at once).
  Clock::time_point next_read(Clock::time_point now) const {
    if (!paced_) return now;
    const Clock::time_point due = last_read_ + interval_;
    return due > now ? due : now;
  }

  // A read at `at` returned `records` records (0: nothing was readable; it
  // does not count, so the next records after a quiet spell go at once).
  void read(Clock::time_point at, std::size_t records) {
    if (records == 0) return;
    last_read_ = at;
    paced_ = interval_.count() > 0 && records < batch_max_;
  }

  std::chrono::milliseconds interval() const { return interval_; }

 private:
  const std::chrono::milliseconds interval_;
  const std::size_t batch_max_;
  Clock::time_point last_read_{};
  bool paced_ = false;  // the next read waits for last_read_ + interval_
};

}  // namespace medgate::runtime
