// A target's circuit breaker. After `threshold` failed delivery attempts in
// a row the circuit opens: the peer is taken to be down, and each further
// attempt (still spaced by the backoff) is a probe carrying a single record
// instead of a whole batch. The first attempt that delivers closes it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace medgate::runtime {

class CircuitBreaker {
 public:
  enum class Change { none, opened, closed };

  explicit CircuitBreaker(std::int64_t threshold) : threshold_(threshold < 1 ? 1 : threshold) {}

  // The outcome of one attempt (success: at least one record got an answer
  // other than "retry later"); says whether that opened or closed the circuit.
  Change record(bool success) {
    if (success) {
      failures_ = 0;
      if (!open_) return Change::none;
      open_ = false;
      return Change::closed;
    }
    ++failures_;
    if (open_ || failures_ < threshold_) return Change::none;
    open_ = true;
    return Change::opened;
  }

  bool open() const { return open_; }
  std::int64_t consecutive_failures() const { return failures_; }
  // How many records the next attempt may carry.
  std::size_t batch_limit(std::size_t batch_max) const { return open_ ? 1 : batch_max; }

 private:
  const std::int64_t threshold_;
  std::int64_t failures_ = 0;
  bool open_ = false;
};

}  // namespace medgate::runtime
