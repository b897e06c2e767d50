#include "config/units.h"

#include <gtest/gtest.h>

using medgate::config::parse_duration_ms;
using medgate::config::parse_size;

TEST(Units, SizesUseBinaryMultiples) {
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("512k"), 512u * 1024);
  EXPECT_EQ(parse_size("64MiB"), 64u << 20);
  EXPECT_EQ(parse_size("2 GiB"), 2ull << 30);
  EXPECT_EQ(parse_size("1.5G"), 3ull << 29);
  EXPECT_EQ(parse_size("10B"), 10u);
}

TEST(Units, RejectsMalformedSizes) {
  for (const char* bad : {"", "MiB", "-1", "12 parsecs", "1..5k", "0x10", "5k5"})
    EXPECT_FALSE(parse_size(bad).has_value()) << bad;
}

TEST(Units, Durations) {
  EXPECT_EQ(parse_duration_ms("250"), 250);
  EXPECT_EQ(parse_duration_ms("250ms"), 250);
  EXPECT_EQ(parse_duration_ms("5s"), 5000);
  EXPECT_EQ(parse_duration_ms("2m"), 120000);
  EXPECT_EQ(parse_duration_ms("1h"), 3600000);
  EXPECT_EQ(parse_duration_ms("0.5s"), 500);
  for (const char* bad : {"", "s", "5 weeks", "-5s", "5sec"}) EXPECT_FALSE(parse_duration_ms(bad).has_value()) << bad;
}
