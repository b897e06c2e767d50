#include "pipeline/desensitizer.h"

#include <algorithm>

namespace medgate::pipeline {
namespace {
bool path_is_within(const std::string& path, const std::string& prefix) {
  return path == prefix || (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
                            path[prefix.size()] == '.');
}

// Profile fields holding free text, which may name the patient anywhere.
const std::vector<std::string>& free_text_paths() {
  static const std::vector<std::string> paths = {"notes", "feedback.text"};
  return paths;
}

std::string param_string(const config::PolicyRule& rule, const char* name) {
  const sdk::Value* v = rule.params.find(name);
  return v && v->is_string() ? v->as_string() : std::string();
}

// Why a rule would let a direct identifier out, whatever the target; empty when it would not.
std::string identifier_leak(const config::PolicyRule& rule) {
  if (rule.method == "keep" && path_is_within(rule.field, "subject"))
    return "method 'keep' would pass a raw identifier out of the gateway; use token, encrypt (outreach), mask, "
           "generalize or drop";
  return {};
}

// Why a rule would pass a direct identifier to an analytics target; empty when it would not.
std::string analytics_leak(const config::PolicyRule& rule) {
  const bool from_subject = path_is_within(rule.field, "subject");
  if (from_subject && rule.method == "mask")
    return "method 'mask' would pass a direct identifier to analytics targets; use token, generalize or drop";
  if (rule.method == "encrypt")
    return "method 'encrypt' makes a reversible handle, which analytics targets never get; use token";
  if (from_subject && rule.method == "generalize" && param_string(rule, "level") == "date")
    return "generalize level 'date' would pass an exact date of an identifier (e.g. the birth date) to analytics "
           "targets; use year, month or age_band";
  if (rule.method == "keep")
    for (const auto& text : free_text_paths())
      if (path_is_within(rule.field, text) || path_is_within(text, rule.field))
        return "method 'keep' would pass free text ('" + text + "') that may name the patient to analytics "
               "targets; use scrub on it";
  return {};
}
}  // namespace

const std::vector<std::string>& envelope_keys() {
  static const std::vector<std::string> keys = {"schema_version", "record_id",   "source",     "source_record_id",
                                                "event_type",     "occurred_at", "ingested_at"};
  return keys;
}

std::unique_ptr<CompiledPolicy> CompiledPolicy::compile(const config::PolicyConfig& config, const MethodEnv& env,
                                                        std::vector<PolicyProblem>& problems) {
  auto policy = std::unique_ptr<CompiledPolicy>(new CompiledPolicy());
  policy->name_ = config.name;
  policy->version_ = config.version;
  policy->purpose_ = config.purpose;
  const std::size_t before = problems.size();
  const MethodRegistry& registry = MethodRegistry::builtin();
  for (const auto& rule : config.rules) {
    const std::string where = "policy '" + config.name + "' rule for '" + rule.field + "': ";
    const MethodFactory* factory = registry.find(rule.method);
    if (!factory) {
      std::string known;
      for (const auto& n : registry.names()) known += (known.empty() ? "" : ", ") + n;
      problems.push_back({rule.mark, where + "unknown method '" + rule.method + "' (known: " + known + ")"});
      continue;
    }
    const std::string to = rule.to.empty() ? rule.field : rule.to;
    if (rule.method != "drop" && path_is_within(to, "subject")) {
      problems.push_back({rule.mark, where + "raw identifiers under 'subject' never leave the gateway; write the "
                                             "result elsewhere with 'to:' (e.g. to: patient.birth_year)"});
      continue;
    }
    std::string leak = identifier_leak(rule);
    if (leak.empty() && config.purpose == "analytics") leak = analytics_leak(rule);
    if (!leak.empty()) {
      problems.push_back({rule.mark, where + leak});
      continue;
    }
    std::unique_ptr<FieldMethod> impl;
    if (sdk::Status s = (*factory)(rule, env, impl); !s.ok()) {
      problems.push_back({rule.mark, where + s.message()});
      continue;
    }
    policy->rules_.push_back({rule.field, to, rule.method, std::move(impl), FieldPath(rule.field), FieldPath(to)});
  }
  for (const auto& key : envelope_keys()) {
    bool governed = std::any_of(policy->rules_.begin(), policy->rules_.end(),
                                [&](const Rule& r) { return r.field == key || r.to == key; });
    if (!governed) policy->envelope_.push_back(key);
  }
  if (problems.size() != before) return nullptr;
  return policy;
}

void CompiledPolicy::apply(const sdk::Value& record, sdk::Value& out, std::vector<FieldAction>& actions) const {
  // Into an empty `out` the (distinct) envelope keys are appended without lookups.
  if (!out.is_object()) out = sdk::Value::object();
  auto& members = out.as_object();
  const bool was_empty = members.empty();
  members.reserve(members.size() + envelope_.size() + 4);
  for (const auto& key : envelope_)
    if (const sdk::Value* v = record.find(key)) {
      if (was_empty)
        members.emplace_back(key, *v);
      else
        out[key] = *v;
    }
  RecordContext ctx{record};
  for (const auto& rule : rules_) {
    const sdk::Value* in = rule.from_path.find_in(record);
    if (!in || in->is_null()) continue;
    FieldAction action;
    action.path = &rule.field;
    action.method = &rule.method;
    action.key_id = rule.impl->key_id();
    sdk::Value result;
    rule.impl->apply(*in, ctx, result, action);
    if (!result.is_null()) rule.to_path.store_in(out, std::move(result));
    actions.push_back(std::move(action));
  }
}

}  // namespace medgate::pipeline
