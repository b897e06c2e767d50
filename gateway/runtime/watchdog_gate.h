// Whether medgated may tell systemd's watchdog it is alive: not when the
// pipeline has had batches queued and finished none for `stall_after` (a
// worker stuck in a hung disk write, a deadlock). Idle is alive; so is slow
// progress. Pure logic, fed a probe and the time, so that it can be tested
// without systemd.
#pragma once

#include <chrono>
#include <cstdint>

namespace medgate::runtime {

struct PipelineProgress {
  std::uint64_t queued_batches = 0;   // waiting for a worker
  std::uint64_t groups_finished = 0;  // worker rounds done (committed or refused); any change is progress
};

class WatchdogGate {
 public:
  using Clock = std::chrono::steady_clock;
  explicit WatchdogGate(std::chrono::milliseconds stall_after) : stall_after_(stall_after) {}

  // True while alive. `now` only moves forward.
  bool alive(const PipelineProgress& p, Clock::time_point now) {
    if (!started_ || p.queued_batches == 0 || p.groups_finished != last_finished_) {
      started_ = true;
      last_finished_ = p.groups_finished;
      last_progress_ = now;
      return true;
    }
    return now - last_progress_ < stall_after_;
  }
  // Time since the last progress (or idle moment) alive() saw: how long a
  // stall has lasted when alive() says false.
  std::chrono::milliseconds stalled_for(Clock::time_point now) const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - last_progress_);
  }

 private:
  std::chrono::milliseconds stall_after_;
  bool started_ = false;
  std::uint64_t last_finished_ = 0;
  Clock::time_point last_progress_{};
};

}  // namespace medgate::runtime
