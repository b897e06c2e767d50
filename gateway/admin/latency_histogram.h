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
  // Upper bounds in seconds (Prometheus `le`), chosen for delivery from a
  // local spool: milliseconds when healthy, minutes when a target was down.
  static constexpr std::array<double, 15> kBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                     1,     2.5,   5,    10,    30,    60,  300};

  void record(std::chrono::microseconds latency) noexcept {
    const double s = static_cast<double>(latency.count()) / 1e6;
    std::size_t i = 0;
    while (i < kBounds.size() && s > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);  // i == size: +Inf only
    sum_us_.fetch_add(static_cast<std::uint64_t>(latency.count() < 0 ? 0 : latency.count()),
                      std::memory_order_relaxed);
  }

  struct Snapshot {
    std::array<std::uint64_t, kBounds.size()> cumulative{};  // count with latency <= kBounds[i]
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  Snapshot snapshot() const noexcept {
    Snapshot s;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
      running += buckets_[i].load(std::memory_order_relaxed);
      s.cumulative[i] = running;
    }
    s.count = running + buckets_[kBounds.size()].load(std::memory_order_relaxed);
    s.sum_seconds = static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6;
    return s;
  }

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_us_{0};
};

}  // namespace medgate::admin
