// A fixed-bucket latency histogram that many threads record into without
// locks, read as Prometheus buckets (cumulative counts, sum, count).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace medgate::admin {

class LatencyHistogram {
 public:
  // Upper bounds in seconds (Prometheus `le`).
  using Bounds = std::array<double, 15>;
  // For delivery from a local spool: milliseconds when healthy, minutes when
  // a target was down.
  static constexpr Bounds kDeliveryBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                             1,     2.5,   5,    10,    30,    60,  300};
  // For the steps of a group commit: a fraction of a millisecond for an
  // fdatasync on a healthy disk, seconds on a failing one.
  static constexpr Bounds kCommitBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                           0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};

  explicit LatencyHistogram(const Bounds& bounds = kDeliveryBounds) noexcept : bounds_(&bounds) {}

  // Any duration (steady_clock differences included), kept to the microsecond.
  template <typename Rep, typename Period>
  void record(std::chrono::duration<Rep, Period> d) noexcept {
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(d);
    const double s = static_cast<double>(latency.count()) / 1e6;
    const Bounds& bounds = *bounds_;
    std::size_t i = 0;
    while (i < bounds.size() && s > bounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);  // i == size: +Inf only
    sum_us_.fetch_add(static_cast<std::uint64_t>(latency.count() < 0 ? 0 : latency.count()),
                      std::memory_order_relaxed);
  }

  struct Snapshot {
    const Bounds* bounds = &kDeliveryBounds;
    std::array<std::uint64_t, Bounds{}.size()> cumulative{};  // count with latency <= (*bounds)[i]
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  Snapshot snapshot() const noexcept {
    Snapshot s;
    s.bounds = bounds_;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < s.cumulative.size(); ++i) {
      running += buckets_[i].load(std::memory_order_relaxed);
      s.cumulative[i] = running;
    }
    s.count = running + buckets_.back().load(std::memory_order_relaxed);
    s.sum_seconds = static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
    return s;
  }

 private:
  const Bounds* bounds_;
  std::array<std::atomic<std::uint64_t>, Bounds{}.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace medgate::admin
