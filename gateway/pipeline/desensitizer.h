// Stage 3, desensitize: applies a target's policy to a normalized record.
// A policy is an allowlist: the output holds the envelope and exactly what the
// rules write; every field without a rule is dropped (fail closed).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "config/gateway_config.h"
#include "pipeline/field_methods.h"
#include "pipeline/field_path.h"
#include "pipeline/output_plan.h"

namespace medgate::pipeline {

struct PolicyProblem {
  config::Mark mark;
  std::string message;
};

class CompiledPolicy {
 public:
  // Compiles every rule; returns null and lists every problem when any rule is
  // invalid (unknown method, bad parameter, missing key, or a direct
  // identifier passed to an analytics target).
  static std::unique_ptr<CompiledPolicy> compile(const config::PolicyConfig& config, const MethodEnv& env,
                                                 std::vector<PolicyProblem>& problems);

  // Writes the target's view of `record` into `out` (an empty object) and
  // appends one FieldAction per rule that found its field.
  void apply(const sdk::Value& record, sdk::Value& out, std::vector<FieldAction>& actions) const;
  // The same view as JSON (the bytes of sdk::to_json on apply's output) in
  // `json` (replaced), with the same actions. Written straight from the
  // record when the rules allow it (output_plan.h); through apply otherwise.
  void apply_json(const sdk::Value& record, std::string& json, std::vector<FieldAction>& actions) const;

  const std::string& name() const noexcept { return name_; }
  std::int64_t version() const noexcept { return version_; }
  const std::string& purpose() const noexcept { return purpose_; }

 private:
  struct Rule {
    std::string field;
    std::string to;
    std::string method;
    std::unique_ptr<FieldMethod> impl;
    FieldPath from_path;
    FieldPath to_path;
    config::Mark mark;
    std::size_t first_step = 0;  // of from_path, into first_steps_
  };
  // What each of first_steps_ finds at the record's top level (null: nothing),
  // into `found`: one look-up per distinct first step, not one per rule.
  void find_first_steps(const sdk::Value& record, std::span<const sdk::Value*> found) const;
  static const sdk::Value* input_of(const Rule& rule, std::span<const sdk::Value* const> first_steps) {
    return rule.from_path.find_below_first(first_steps[rule.first_step]);
  }
  // The audit action of `rule` before its method runs.
  static FieldAction action_of(const Rule& rule);
  // A rule on "ARRAY.*...": applies the method to each element that has the
  // field, into the same element of the output's array; false when no
  // element had it (no audit action then).
  bool apply_to_elements(const Rule& rule, const sdk::Value& array, const RecordContext& ctx, sdk::Value& out,
                         FieldAction& action) const;
  std::string name_;
  std::int64_t version_ = 0;
  std::string purpose_;
  std::vector<Rule> rules_;
  std::vector<std::string> envelope_;  // envelope keys no rule governs: copied as is
  std::size_t top_level_members_ = 0;  // distinct first steps of the rules' output paths
  std::vector<const FieldPath*> element_arrays_;  // arrays written element by element, one path each (into rules_)
  std::unique_ptr<OutputPlan> plan_;  // null: apply_json goes through apply
  std::vector<std::string> first_steps_;  // distinct first steps of the rules' fields
};

// Envelope keys: made by the gateway or the source adapter, never personal data.
const std::vector<std::string>& envelope_keys();

}  // namespace medgate::pipeline
