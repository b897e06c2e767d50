#include "pipeline/worker_baton.h"

#include <gtest/gtest.h>

#include <future>

namespace medgate::pipeline {
namespace {

TEST(WorkerBaton, TheHolderOfASmallGroupKeepsItAndNoOtherWorkerTakesIt) {
  WorkerBaton baton(256);
  ASSERT_TRUE(baton.try_take());
  EXPECT_TRUE(baton.after_group(1));    // one MLLP message
  EXPECT_TRUE(baton.after_group(255));  // just under the threshold
  EXPECT_FALSE(baton.try_take());       // a second worker stays idle
}

TEST(WorkerBaton, ALargeGroupPassesItOnSoTheNextWorkerStartsBeside) {
  WorkerBaton baton(256);
  ASSERT_TRUE(baton.try_take());
  EXPECT_FALSE(baton.after_group(256));  // the holder no longer holds it
  EXPECT_TRUE(baton.try_take());         // the next worker takes the next group
  EXPECT_FALSE(baton.try_take());        // one holder at a time
}

TEST(WorkerBaton, AThresholdOfOneLetsEveryWorkerTakeGroupsAsTheyCome) {
  WorkerBaton baton(1);
  ASSERT_TRUE(baton.try_take());
  EXPECT_FALSE(baton.after_group(1));
  EXPECT_TRUE(baton.try_take());
}

TEST(WorkerBaton, AWaitingWorkerTakesItWhenTheHolderPasses) {
  WorkerBaton baton(256);
  ASSERT_TRUE(baton.try_take());
  std::promise<void> waiting;
  auto taken = std::async(std::launch::async, [&] {
    waiting.set_value();
    baton.take();  // blocks until passed
    return baton.after_group(10);
  });
  waiting.get_future().wait();
  baton.pass();
  EXPECT_TRUE(taken.get());  // the waiter holds it now
  EXPECT_FALSE(baton.try_take());
}

}  // namespace
}  // namespace medgate::pipeline
