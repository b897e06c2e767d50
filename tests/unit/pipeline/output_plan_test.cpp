#include "pipeline/output_plan.h"

#include <gtest/gtest.h>

#include "../json_value.h"
#include "medgate/sdk/json.h"

namespace medgate::pipeline {
namespace {

using testing::json;

// The plan's output for `record` when rule i wrote written[i] (null: nothing).
std::string written_by(const OutputPlan& plan, const sdk::Value& record, const std::vector<const sdk::Value*>& written) {
  std::string out;
  plan.write(record, written, out);
  return out;
}

TEST(OutputPlan, IsBuiltOnlyForDistinctPlainPaths) {
  const std::vector<std::string> envelope = {"record_id", "source"};
  EXPECT_NE(OutputPlan::build({"patient.token", "patient.gender", "channels.phone_token", "encounter"}, envelope),
            nullptr);
  EXPECT_NE(OutputPlan::build({}, envelope), nullptr);
  // A later rule would overwrite or merge into an earlier rule's output.
  EXPECT_EQ(OutputPlan::build({"patient.token", "patient.token"}, envelope), nullptr);
  EXPECT_EQ(OutputPlan::build({"encounter", "encounter.month"}, envelope), nullptr);
  EXPECT_EQ(OutputPlan::build({"encounter.month", "encounter"}, envelope), nullptr);
  // Element paths, and paths into a copied envelope member.
  EXPECT_EQ(OutputPlan::build({"charges.*.amount_band"}, envelope), nullptr);
  EXPECT_EQ(OutputPlan::build({"source.kind"}, envelope), nullptr);
  EXPECT_NE(OutputPlan::build({"source.kind"}, {"record_id"}), nullptr);
}

TEST(OutputPlan, OrdersMembersByTheFirstRuleThatWroteIntoThem) {
  auto plan = OutputPlan::build({"a.x", "b.y", "a.z", "c"}, {"source", "record_id"});
  ASSERT_NE(plan, nullptr);
  const sdk::Value record = json(R"({"record_id":"r1","other":"not copied","source":"his"})");
  const sdk::Value one("1"), two(2), three = json(R"({"k":[true,null]})"), four("四\"");
  EXPECT_EQ(written_by(*plan, record, {&one, &two, &three, &four}),
            R"({"source":"his","record_id":"r1","a":{"x":"1","z":{"k":[true,null]}},"b":{"y":2},"c":"四\""})");
  // a.x wrote nothing: a takes the place of a.z, after b.
  EXPECT_EQ(written_by(*plan, record, {nullptr, &two, &three, nullptr}),
            R"({"source":"his","record_id":"r1","b":{"y":2},"a":{"z":{"k":[true,null]}}})");
  EXPECT_EQ(written_by(*plan, record, {nullptr, nullptr, nullptr, &four}), R"({"source":"his","record_id":"r1","c":"四\""})");
  EXPECT_EQ(written_by(*plan, record, {nullptr, nullptr, nullptr, nullptr}), R"({"source":"his","record_id":"r1"})");
  EXPECT_EQ(written_by(*plan, json("{}"), {nullptr, nullptr, nullptr, nullptr}), "{}");
  EXPECT_EQ(written_by(*plan, json(R"({"record_id":"r2"})"), {nullptr, &two, nullptr, nullptr}),
            R"({"record_id":"r2","b":{"y":2}})");
}

TEST(OutputPlan, AppendsToWhatTheStringHolds) {
  auto plan = OutputPlan::build({"a"}, {});
  ASSERT_NE(plan, nullptr);
  const sdk::Value v(1);
  std::string out = "x";
  plan->write(json("{}"), std::vector<const sdk::Value*>{&v}, out);
  EXPECT_EQ(out, R"(x{"a":1})");
}

}  // namespace
}  // namespace medgate::pipeline
