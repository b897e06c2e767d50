// RFC 3339 timestamps: what medgate writes parses back to the same instant,
// and the forms users type (a date, offsets) mean what they say.
#include "spool/timestamps.h"

#include <gtest/gtest.h>

namespace medgate::spool {
namespace {

using std::chrono::system_clock;

std::int64_t ms(std::string_view text) {
  system_clock::time_point t;
  EXPECT_TRUE(parse_rfc3339(text, t)) << text;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TEST(Timestamps, ParsesWhatItWrites) {
  const auto now = system_clock::now();
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  EXPECT_EQ(ms(utc_rfc3339(now)), now_ms);
  EXPECT_EQ(ms("1970-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(ms("2026-11-23T01:02:03.456Z"), 1795395723456);
}

TEST(Timestamps, AcceptsDatesOffsetsAndFractions) {
  EXPECT_EQ(ms("2026-11-23"), ms("2026-11-23T00:00:00Z"));
  EXPECT_EQ(ms("2026-11-23T08:00:00+08:00"), ms("2026-11-23T00:00:00Z"));
  EXPECT_EQ(ms("2026-11-22T19:30:00-04:30"), ms("2026-11-23T00:00:00Z"));
  EXPECT_EQ(ms("2026-11-23T00:00Z"), ms("2026-11-23T00:00:00.000Z"));
  EXPECT_EQ(ms("2026-11-23t00:00:00.5z") - ms("2026-11-23"), 500);
  EXPECT_EQ(ms("2026-11-23T00:00:00.123456789Z") - ms("2026-11-23"), 123);
  EXPECT_EQ(ms("2024-02-29") - ms("2024-02-28"), 86'400'000);
}

TEST(Timestamps, RefusesAnythingElse) {
  system_clock::time_point t;
  for (const char* bad : {"", "2026", "2026-11", "2026-13-01", "2026-02-30", "2025-02-29", "2026-11-23T",
                          "2026-11-23T25:00Z", "2026-11-23T00:00:00", "2026-11-23T00:00:00.Z", "2026-11-23T00:00:00+8",
                          "2026-11-23x", "yesterday", "2026-11-23T00:00:00Z "})
    EXPECT_FALSE(parse_rfc3339(bad, t)) << bad;
}

}  // namespace
}  // namespace medgate::spool
