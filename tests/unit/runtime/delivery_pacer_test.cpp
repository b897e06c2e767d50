#include "runtime/delivery_pacer.h"

#include <gtest/gtest.h>

namespace medgate::runtime {
namespace {

using std::chrono::milliseconds;
using Clock = DeliveryPacer::Clock;

const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(1);

TEST(DeliveryPacer, TheFirstReadGoesAtOnce) {
  DeliveryPacer p(milliseconds(10), 500);
  EXPECT_EQ(p.next_read(t0), t0);
}

TEST(DeliveryPacer, AReadOfPartOfABatchMakesTheNextWaitForTheInterval) {
  DeliveryPacer p(milliseconds(10), 500);
  p.read(t0, 30);
  EXPECT_EQ(p.next_read(t0 + milliseconds(1)), t0 + milliseconds(10));
  EXPECT_EQ(p.next_read(t0 + milliseconds(9)), t0 + milliseconds(10));
  // Once the interval has passed (records after a quiet spell): at once.
  EXPECT_EQ(p.next_read(t0 + milliseconds(10)), t0 + milliseconds(10));
  EXPECT_EQ(p.next_read(t0 + milliseconds(500)), t0 + milliseconds(500));
}

TEST(DeliveryPacer, AFullBatchMeansABacklogAndTheNextReadGoesAtOnce) {
  DeliveryPacer p(milliseconds(10), 500);
  p.read(t0, 500);
  EXPECT_EQ(p.next_read(t0 + milliseconds(1)), t0 + milliseconds(1));
  p.read(t0 + milliseconds(1), 499);  // the backlog is read: pacing again
  EXPECT_EQ(p.next_read(t0 + milliseconds(2)), t0 + milliseconds(11));
}

TEST(DeliveryPacer, AnEmptyReadLeavesThePaceAsItWas) {
  DeliveryPacer p(milliseconds(10), 500);
  p.read(t0, 3);
  p.read(t0 + milliseconds(4), 0);  // nothing was readable yet
  EXPECT_EQ(p.next_read(t0 + milliseconds(5)), t0 + milliseconds(10));
  DeliveryPacer fresh(milliseconds(10), 500);
  fresh.read(t0, 0);
  EXPECT_EQ(fresh.next_read(t0 + milliseconds(1)), t0 + milliseconds(1));
}

TEST(DeliveryPacer, IntervalZeroNeverWaits) {
  DeliveryPacer p(milliseconds(0), 500);
  p.read(t0, 1);
  EXPECT_EQ(p.next_read(t0), t0);
  DeliveryPacer negative(milliseconds(-5), 500);
  negative.read(t0, 1);
  EXPECT_EQ(negative.next_read(t0), t0);
  EXPECT_EQ(negative.interval(), milliseconds(0));
}

}  // namespace
}  // namespace medgate::runtime
