// The watchdog stays quiet only when work is queued and nothing finishes for
// the whole stall period; idle, slow progress and a reload are alive.
#include "runtime/watchdog_gate.h"

#include <gtest/gtest.h>

namespace medgate::runtime {
namespace {
using namespace std::chrono_literals;

TEST(WatchdogGate, IdleIsAlive) {
  WatchdogGate gate(1000ms);
  const auto t0 = WatchdogGate::Clock::time_point{} + 1h;
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(gate.alive({0, 5}, t0 + i * 1s));
}

TEST(WatchdogGate, QueuedWorkWithoutProgressStopsBeingAliveAfterTheStallPeriod) {
  WatchdogGate gate(1000ms);
  const auto t0 = WatchdogGate::Clock::time_point{} + 1h;
  EXPECT_TRUE(gate.alive({3, 7}, t0));
  EXPECT_TRUE(gate.alive({3, 7}, t0 + 999ms));
  EXPECT_FALSE(gate.alive({3, 7}, t0 + 1000ms));
  EXPECT_EQ(gate.stalled_for(t0 + 1500ms), 1500ms);
  EXPECT_FALSE(gate.alive({9, 7}, t0 + 2000ms));  // more queued, still nothing finished
  EXPECT_TRUE(gate.alive({9, 8}, t0 + 2100ms));   // a group finished: alive again
  EXPECT_TRUE(gate.alive({9, 8}, t0 + 3000ms));
}

TEST(WatchdogGate, SlowProgressIsAlive) {
  WatchdogGate gate(1000ms);
  const auto t0 = WatchdogGate::Clock::time_point{} + 1h;
  for (std::uint64_t i = 0; i < 10; ++i) EXPECT_TRUE(gate.alive({50, i}, t0 + i * 900ms));
}

TEST(WatchdogGate, ACounterThatStartsOverAfterAReloadCountsAsProgress) {
  WatchdogGate gate(1000ms);
  const auto t0 = WatchdogGate::Clock::time_point{} + 1h;
  EXPECT_TRUE(gate.alive({2, 400}, t0));
  EXPECT_TRUE(gate.alive({2, 0}, t0 + 900ms));   // a new pipeline
  EXPECT_TRUE(gate.alive({2, 0}, t0 + 1800ms));  // its stall period starts at the change
  EXPECT_FALSE(gate.alive({2, 0}, t0 + 1900ms));
}

}  // namespace
}  // namespace medgate::runtime
