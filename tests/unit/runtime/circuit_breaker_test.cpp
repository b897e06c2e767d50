#include "runtime/circuit_breaker.h"

#include <gtest/gtest.h>

namespace medgate::runtime {
namespace {
using Change = CircuitBreaker::Change;

TEST(CircuitBreaker, OpensAfterThresholdFailuresInARowAndProbesWithOneRecord) {
  CircuitBreaker c(3);
  EXPECT_EQ(c.batch_limit(500), 500u);
  EXPECT_EQ(c.record(false), Change::none);
  EXPECT_EQ(c.record(false), Change::none);
  EXPECT_FALSE(c.open());
  EXPECT_EQ(c.record(false), Change::opened);
  EXPECT_TRUE(c.open());
  EXPECT_EQ(c.batch_limit(500), 1u);
  EXPECT_EQ(c.record(false), Change::none);  // stays open, reported once
  EXPECT_EQ(c.consecutive_failures(), 4);
}

TEST(CircuitBreaker, ASuccessResetsTheCountAndClosesAnOpenCircuit) {
  CircuitBreaker c(2);
  EXPECT_EQ(c.record(false), Change::none);
  EXPECT_EQ(c.record(true), Change::none);  // not in a row
  EXPECT_EQ(c.record(false), Change::none);
  EXPECT_EQ(c.record(false), Change::opened);
  EXPECT_EQ(c.record(true), Change::closed);
  EXPECT_FALSE(c.open());
  EXPECT_EQ(c.batch_limit(500), 500u);
  EXPECT_EQ(c.consecutive_failures(), 0);
}

TEST(CircuitBreaker, AThresholdBelowOneMeansOne) {
  CircuitBreaker c(0);
  EXPECT_EQ(c.record(false), Change::opened);
}

}  // namespace
}  // namespace medgate::runtime
