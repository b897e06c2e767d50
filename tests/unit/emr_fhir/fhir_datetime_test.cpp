#include "fhir_datetime.h"

#include <gtest/gtest.h>

namespace medgate::emr_fhir {
namespace {

using profile_mapping::DateTimeParts;

std::string converted(std::string_view text, FhirTimeType type = FhirTimeType::date_time) {
  DateTimeParts t;
  std::string problem;
  if (!parse_fhir_datetime(text, type, t, problem)) return "error: " + problem;
  if (t.date_digits < 8) return "partial " + std::to_string(t.date_digits);
  return profile_mapping::to_rfc3339(t, "+08:00");
}

TEST(FhirDateTime, Forms) {
  EXPECT_EQ(converted("2026-05-05T08:30:00+08:00"), "2026-05-05T08:30:00+08:00");
  EXPECT_EQ(converted("2026-05-05T00:30:00Z"), "2026-05-05T00:30:00Z");
  EXPECT_EQ(converted("2026-05-05T08:30:00.123-05:00"), "2026-05-05T08:30:00.123-05:00");
  EXPECT_EQ(converted("2026-05-05T08:30:00"), "2026-05-05T08:30:00+08:00");  // no offset: the configured one
  EXPECT_EQ(converted("2026-05-05"), "2026-05-05T00:00:00+08:00");
  EXPECT_EQ(converted("2026-05"), "partial 6");
  EXPECT_EQ(converted("2026"), "partial 4");
  EXPECT_EQ(converted("1980-01", FhirTimeType::date), "partial 6");
  EXPECT_EQ(converted("2024-02-29", FhirTimeType::date), "2024-02-29T00:00:00+08:00");
  EXPECT_EQ(converted("2026-05-05T08:30:00Z", FhirTimeType::instant), "2026-05-05T08:30:00Z");
}

TEST(FhirDateTime, Refusals) {
  const std::string date_time =
      "error: expected a FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.s][Z|+hh:mm|-hh:mm]";
  for (const char* text : {"", "20260505", "2026-5-5", "2026-05-05 08:30:00", "2026-05-05T08:30",
                           "2026-05-05T08:30:00+0800", "2026-05-05T08:30:00+08", "2026-05-05T08:30:00.", "2026-05-05T",
                           "26-05-05", "2026-05-05Z", "2026-05-05T08:30:00z"})
    EXPECT_EQ(converted(text), date_time) << text;
  EXPECT_EQ(converted("2026-13-01"), "error: month must be 01-12");
  EXPECT_EQ(converted("2026-02-29"), "error: day out of range for its month");
  EXPECT_EQ(converted("2026-05-05T24:00:00Z"), "error: hour must be 00-23");
  EXPECT_EQ(converted("2026-05-05T23:60:00Z"), "error: minute must be 00-59");
  EXPECT_EQ(converted("2026-05-05T23:59:60Z"), "error: second must be 00-59");
  EXPECT_EQ(converted("2026-05-05T08:00:00+24:00"), "error: offset out of range (-23:59..+23:59)");
  EXPECT_EQ(converted("0000"), "error: year must be 0001-9999");
  EXPECT_EQ(converted("1980-01-01T00:00:00Z", FhirTimeType::date),
            "error: expected a FHIR date: YYYY, YYYY-MM or YYYY-MM-DD");
  EXPECT_EQ(converted("2026-05-05", FhirTimeType::instant),
            "error: expected a FHIR instant: YYYY-MM-DDThh:mm:ss[.s](Z|+hh:mm|-hh:mm)");
}

}  // namespace
}  // namespace medgate::emr_fhir

namespace medgate::emr_fhir {
namespace {

// The poller's cursor compares meta.lastUpdated values by the moment they name.
TEST(FhirDateTime, InstantsCompareByTheMomentNotTheText) {
  auto cmp = [](std::string_view a, std::string_view b) { return compare_instants(a, b, "+08:00"); };
  // Later in time although earlier as text.
  EXPECT_GT(cmp("2026-11-21T01:00:00Z", "2026-11-21T08:00:00+08:00"), 0);
  EXPECT_LT(cmp("2026-11-21T08:00:00+08:00", "2026-11-21T01:00:00Z"), 0);
  // The same moment in three forms; trailing fraction zeros change nothing.
  EXPECT_EQ(cmp("2026-11-21T08:00:00+08:00", "2026-11-21T00:00:00Z"), 0);
  EXPECT_EQ(cmp("2026-11-21T00:00:00.500Z", "2026-11-20T19:00:00.5-05:00"), 0);
  // Fractions of any length.
  EXPECT_GT(cmp("2026-11-21T00:00:00.5Z", "2026-11-21T00:00:00.45Z"), 0);
  EXPECT_LT(cmp("2026-11-21T00:00:00.05Z", "2026-11-21T00:00:00.5Z"), 0);
  EXPECT_GT(cmp("2026-11-21T00:00:00.001Z", "2026-11-21T00:00:00Z"), 0);
  // Across a day, a month and a leap day.
  EXPECT_LT(cmp("2024-02-29T23:30:00-01:00", "2024-03-01T01:00:00+00:00"), 0);
  EXPECT_GT(cmp("2024-03-01T00:30:00Z", "2024-02-29T23:59:59Z"), 0);
  // No offset: read in the default one.
  EXPECT_EQ(cmp("2026-11-21T08:00:00", "2026-11-21T00:00:00Z"), 0);
  EXPECT_EQ(compare_instants("2026-11-21T08:00:00", "2026-11-21T08:00:00Z", "Z"), 0);
  // What does not parse is compared as text.
  EXPECT_LT(cmp("garbage-a", "garbage-b"), 0);
  EXPECT_EQ(cmp("x", "x"), 0);
  EXPECT_GT(cmp("2026-11-21T08:00:00+08:00", ""), 0);  // no cursor yet: everything is after it
}

}  // namespace
}  // namespace medgate::emr_fhir
