#include "admin/prometheus_text.h"

#include <gtest/gtest.h>

namespace medgate::admin {
namespace {

TEST(PrometheusText, WritesHelpTypeAndEscapesLabelValues) {
  PrometheusText t;
  t.family("medgate_x_total", "counter", "Help with a \\ backslash\nand a newline");
  t.sample("medgate_x_total", {{"target", "a\"b\\c\nd"}}, 3);
  EXPECT_EQ(t.text(),
            "# HELP medgate_x_total Help with a \\\\ backslash\\nand a newline\n"
            "# TYPE medgate_x_total counter\n"
            "medgate_x_total{target=\"a\\\"b\\\\c\\nd\"} 3\n");
}

TEST(PrometheusText, WritesSpecialFloatValuesAsTheFormatSpellsThem) {
  PrometheusText t;
  t.sample("a", {}, 1.5);
  t.sample("b", {}, std::numeric_limits<double>::infinity());
  t.sample("c", {}, std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(t.text(), "a 1.5\nb +Inf\nc NaN\n");
}

TEST(PrometheusText, WritesWholeCountsWithoutAnExponent) {
  // Scripts and people read byte counts as integers (integration.target_down did).
  PrometheusText t;
  t.sample("bytes", {}, 79348438);
  EXPECT_EQ(t.text(), "bytes 79348438\n");
}

TEST(PrometheusText, HistogramBucketsAreCumulativeAndEndWithInf) {
  LatencyHistogram h;
  h.record(std::chrono::microseconds(500));      // <= 0.001
  h.record(std::chrono::microseconds(3'000));    // <= 0.005
  h.record(std::chrono::microseconds(3'000));    // <= 0.005
  h.record(std::chrono::seconds(1000));          // beyond the last bound: +Inf only
  PrometheusText t;
  t.histogram("lat", {{"target", "t"}}, h.snapshot());
  const std::string& s = t.text();
  EXPECT_NE(s.find("lat_bucket{target=\"t\",le=\"0.001\"} 1\n"), std::string::npos) << s;
  EXPECT_NE(s.find("lat_bucket{target=\"t\",le=\"0.005\"} 3\n"), std::string::npos) << s;
  EXPECT_NE(s.find("lat_bucket{target=\"t\",le=\"300\"} 3\n"), std::string::npos) << s;
  EXPECT_NE(s.find("lat_bucket{target=\"t\",le=\"+Inf\"} 4\n"), std::string::npos) << s;
  EXPECT_NE(s.find("lat_count{target=\"t\"} 4\n"), std::string::npos) << s;
  EXPECT_NE(s.find("lat_sum{target=\"t\"} 1000.0065\n"), std::string::npos) << s;
}

TEST(PrometheusText, CommitScaleHistogramsHaveSubMillisecondBuckets) {
  LatencyHistogram h(LatencyHistogram::kCommitBounds);
  h.record(std::chrono::microseconds(80));   // <= 0.0001
  h.record(std::chrono::microseconds(300));  // <= 0.0005
  h.record(std::chrono::seconds(11));        // beyond the last bound (10 s): +Inf only
  PrometheusText t;
  t.histogram("step", {{"stage", "audit"}}, h.snapshot());
  const std::string& s = t.text();
  EXPECT_NE(s.find("step_bucket{stage=\"audit\",le=\"0.0001\"} 1\n"), std::string::npos) << s;
  EXPECT_NE(s.find("step_bucket{stage=\"audit\",le=\"0.00025\"} 1\n"), std::string::npos) << s;
  EXPECT_NE(s.find("step_bucket{stage=\"audit\",le=\"0.0005\"} 2\n"), std::string::npos) << s;
  EXPECT_NE(s.find("step_bucket{stage=\"audit\",le=\"10\"} 2\n"), std::string::npos) << s;
  EXPECT_NE(s.find("step_bucket{stage=\"audit\",le=\"+Inf\"} 3\n"), std::string::npos) << s;
  EXPECT_EQ(s.find("le=\"300\""), std::string::npos) << s;  // not the delivery scale
}

}  // namespace
}  // namespace medgate::admin
