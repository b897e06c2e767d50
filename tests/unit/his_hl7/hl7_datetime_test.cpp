#include "hl7_datetime.h"

#include <gtest/gtest.h>

namespace medgate::his_hl7 {
namespace {

std::string rfc3339(std::string_view dtm, std::string_view default_offset = "+08:00") {
  Hl7DateTime t;
  std::string problem;
  EXPECT_TRUE(parse_hl7_datetime(dtm, t, problem)) << dtm << ": " << problem;
  return to_rfc3339(t, default_offset);
}

std::string problem_of(std::string_view dtm) {
  Hl7DateTime t;
  std::string problem;
  EXPECT_FALSE(parse_hl7_datetime(dtm, t, problem)) << dtm;
  return problem;
}

TEST(Hl7DateTime, EveryPrecisionBecomesAFullTimestamp) {
  EXPECT_EQ(rfc3339("20260505083412"), "2026-05-05T08:34:12+08:00");
  EXPECT_EQ(rfc3339("202605050834"), "2026-05-05T08:34:00+08:00");
  EXPECT_EQ(rfc3339("2026050508"), "2026-05-05T08:00:00+08:00");
  EXPECT_EQ(rfc3339("20260505"), "2026-05-05T00:00:00+08:00");
  EXPECT_EQ(rfc3339("202605"), "2026-05-01T00:00:00+08:00");
  EXPECT_EQ(rfc3339("2026"), "2026-01-01T00:00:00+08:00");
}

TEST(Hl7DateTime, FractionAndOffsetAreKept) {
  EXPECT_EQ(rfc3339("20260505083412.1234+0800"), "2026-05-05T08:34:12.1234+08:00");
  EXPECT_EQ(rfc3339("20260505083412-0500"), "2026-05-05T08:34:12-05:00");
  EXPECT_EQ(rfc3339("20260505+0000", "+09:00"), "2026-05-05T00:00:00+00:00");
  EXPECT_EQ(rfc3339("20260505083412", "Z"), "2026-05-05T08:34:12Z");
  EXPECT_EQ(rfc3339("20260505083412", "+09:00"), "2026-05-05T08:34:12+09:00");
}

TEST(Hl7DateTime, DateOnlyAndPrecision) {
  Hl7DateTime t;
  std::string problem;
  ASSERT_TRUE(parse_hl7_datetime("19491231", t, problem));
  EXPECT_EQ(t.date_digits, 8u);
  EXPECT_EQ(to_date(t), "1949-12-31");
  ASSERT_TRUE(parse_hl7_datetime("1949", t, problem));
  EXPECT_EQ(t.date_digits, 4u);
  EXPECT_EQ(t.year, 1949);
  ASSERT_TRUE(parse_hl7_datetime("20240229", t, problem));  // leap year
  ASSERT_TRUE(parse_hl7_datetime("19491231235959", t, problem));
  EXPECT_EQ(to_date(t), "1949-12-31");
}

TEST(Hl7DateTime, InvalidValuesNameTheProblem) {
  EXPECT_EQ(problem_of("20261305"), "month must be 01-12");
  EXPECT_EQ(problem_of("20260230"), "day out of range for its month");
  EXPECT_EQ(problem_of("20250229"), "day out of range for its month");
  EXPECT_EQ(problem_of("20260505240000"), "hour must be 00-23");
  EXPECT_EQ(problem_of("20260505236000"), "minute must be 00-59");
  EXPECT_EQ(problem_of("20260505235960"), "second must be 00-59");
  EXPECT_EQ(problem_of("196203520"), "expected YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]");  // 9 digits
  EXPECT_EQ(problem_of("2026-05-05"), "expected YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]");
  EXPECT_EQ(problem_of(""), "expected YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]");
  EXPECT_EQ(problem_of("20260505 0834"), "expected YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]");
  EXPECT_EQ(problem_of("20260505083412+08"), "expected YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]");
  EXPECT_EQ(problem_of("20260505083412+2400"), "offset out of range (-2359..+2359)");
  EXPECT_EQ(problem_of("202605050834.5"), "a fraction of a second needs all of YYYYMMDDHHMMSS and at least one digit");
  EXPECT_EQ(problem_of("20260505083412."), "a fraction of a second needs all of YYYYMMDDHHMMSS and at least one digit");
}

TEST(Hl7DateTime, Rfc3339Offsets) {
  EXPECT_TRUE(is_rfc3339_offset("+08:00"));
  EXPECT_TRUE(is_rfc3339_offset("-05:30"));
  EXPECT_TRUE(is_rfc3339_offset("Z"));
  EXPECT_FALSE(is_rfc3339_offset("+0800"));
  EXPECT_FALSE(is_rfc3339_offset("+08"));
  EXPECT_FALSE(is_rfc3339_offset("+24:00"));
  EXPECT_FALSE(is_rfc3339_offset("08:00"));
  EXPECT_FALSE(is_rfc3339_offset(""));
}

}  // namespace
}  // namespace medgate::his_hl7
