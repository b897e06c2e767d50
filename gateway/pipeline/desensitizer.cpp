#include "pipeline/desensitizer.h"

#include <algorithm>

#include "medgate/sdk/json.h"

namespace medgate::pipeline {
namespace {
// Whether `path` is `prefix` or inside it ("charges.*.amount_cny" is inside "charges").
bool path_is_within(const std::string& path, const std::string& prefix) {
  return path == prefix || (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
                            path[prefix.size()] == '.');
}

// Profile fields holding free text, which may name the patient anywhere.
const std::vector<std::string>& free_text_paths() {
  static const std::vector<std::string> paths = {"notes", "feedback.text"};
  return paths;
}

// The members of free-text fields that are not free text (a note's kind and time).
bool structured_part_of_free_text(const std::string& path) {
  return path_is_within(path, "notes.*.kind") || path_is_within(path, "notes.*.written_at");
}

// Why the paths of a rule do not fit together; empty when they do.
std::string path_problem(const config::PolicyRule& rule, const std::string& to) {
  for (const std::string* p : {&rule.field, &to})
    if (std::string problem = FieldPath::problem(*p); !problem.empty()) return problem;
  const FieldPath from_path(rule.field), to_path(to);
  if (from_path.each() != to_path.each() || from_path.array() != to_path.array())
    return "a rule on the elements of an array writes into the same elements: field '" + rule.field + "' with to '" +
           to + "' (e.g. field: charges.*.amount_cny, to: charges.*.amount_band)";
  return {};
}

// Adds `more` scrub findings to `into`'s, type by type.
void add_findings(FieldAction& into, const FieldAction& more) {
  for (const auto& [type, count] : more.found) {
    auto same = std::find_if(into.found.begin(), into.found.end(), [&](const auto& f) { return f.first == type; });
    if (same == into.found.end()) into.found.emplace_back(type, count);
    else same->second += count;
  }
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
  if (rule.method == "keep" && !structured_part_of_free_text(rule.field))
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
    if (std::string problem = path_problem(rule, to); !problem.empty()) {
      problems.push_back({rule.mark, where + problem});
      continue;
    }
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
    policy->rules_.push_back(
        {rule.field, to, rule.method, std::move(impl), FieldPath(rule.field), FieldPath(to), rule.mark});
  }
  // An array is written element by element or whole, never both: the order
  // of the rules would decide what is left of it.
  for (const auto& each : policy->rules_) {
    if (!each.to_path.each()) continue;
    for (const auto& whole : policy->rules_)
      if (!whole.to_path.each() && (path_is_within(whole.to, each.to_path.array()) ||
                                    path_is_within(each.to_path.array(), whole.to)))
        problems.push_back({each.mark, "policy '" + config.name + "' rule for '" + each.field + "': it writes into "
                                           "the elements of '" + each.to_path.array() + "', which the rule for '" +
                                           whole.field + "' (line " + std::to_string(whole.mark.line) +
                                           ") writes whole; write the array element by element (e.g. " +
                                           each.to_path.array() + ".*.category: keep) or whole, not both"});
    if (std::none_of(policy->element_arrays_.begin(), policy->element_arrays_.end(),
                     [&](const FieldPath* p) { return p->array() == each.to_path.array(); }))
      policy->element_arrays_.push_back(&each.to_path);
  }
  // The output's top level holds the envelope and at most one member per
  // distinct first step of the rules' paths: reserved at once per record.
  std::vector<std::string_view> firsts;
  for (const auto& rule : policy->rules_) {
    std::string_view first = std::string_view(rule.to).substr(0, rule.to.find('.'));
    if (std::find(firsts.begin(), firsts.end(), first) == firsts.end()) firsts.push_back(first);
  }
  policy->top_level_members_ = firsts.size();
  for (const auto& key : envelope_keys()) {
    bool governed = std::any_of(policy->rules_.begin(), policy->rules_.end(),
                                [&](const Rule& r) { return r.field == key || r.to == key; });
    if (!governed) policy->envelope_.push_back(key);
  }
  if (problems.size() != before) return nullptr;
  std::vector<std::string> to_paths;
  for (auto& rule : policy->rules_) {
    to_paths.push_back(rule.to);
    auto& firsts = policy->first_steps_;
    auto known = std::find(firsts.begin(), firsts.end(), rule.from_path.first_step());
    rule.first_step = static_cast<std::size_t>(known - firsts.begin());
    if (known == firsts.end()) firsts.push_back(rule.from_path.first_step());
  }
  policy->plan_ = OutputPlan::build(to_paths, policy->envelope_);
  return policy;
}

void CompiledPolicy::find_first_steps(const sdk::Value& record, std::span<const sdk::Value*> found) const {
  for (std::size_t i = 0; i < first_steps_.size(); ++i) found[i] = record.find(first_steps_[i]);
}

FieldAction CompiledPolicy::action_of(const Rule& rule) {
  FieldAction action;
  action.path = &rule.field;
  action.method = &rule.method;
  action.key_id = rule.impl->key_id();
  return action;
}

void CompiledPolicy::apply(const sdk::Value& record, sdk::Value& out, std::vector<FieldAction>& actions) const {
  // Into an empty `out` the (distinct) envelope keys are appended without lookups.
  if (!out.is_object()) out = sdk::Value::object();
  auto& members = out.as_object();
  const bool was_empty = members.empty();
  members.reserve(members.size() + envelope_.size() + top_level_members_);
  for (const auto& key : envelope_)
    if (const sdk::Value* v = record.find(key)) {
      if (was_empty)
        members.emplace_back(key, *v);
      else
        out[key] = *v;
    }
  RecordContext ctx{record};
  std::vector<const sdk::Value*> first_steps(first_steps_.size());
  find_first_steps(record, first_steps);
  actions.reserve(actions.size() + rules_.size());  // at most one each
  for (const auto& rule : rules_) {
    const sdk::Value* in = input_of(rule, first_steps);
    if (!in || in->is_null()) continue;
    FieldAction action = action_of(rule);
    if (rule.from_path.each()) {
      if (!apply_to_elements(rule, *in, ctx, out, action)) continue;
    } else {
      sdk::Value result;
      rule.impl->apply(*in, ctx, result, action);
      if (!result.is_null()) rule.to_path.store_in(out, std::move(result));
    }
    actions.push_back(std::move(action));
  }
  for (const FieldPath* array : element_arrays_) array->prune_empty_elements(out);
}

void CompiledPolicy::apply_json(const sdk::Value& record, std::string& json, std::vector<FieldAction>& actions) const {
  json.clear();
  if (!plan_) {
    sdk::Value view = sdk::Value::object();
    apply(record, view, actions);
    json = sdk::to_json(view);
    return;
  }
  // What each rule wrote: its input itself (keep) or its method's result.
  std::vector<sdk::Value> results(rules_.size());
  // The first steps' values, then what each rule wrote (null: nothing).
  std::vector<const sdk::Value*> found(first_steps_.size() + rules_.size());
  const std::span<const sdk::Value*> first_steps = std::span(found).first(first_steps_.size());
  const std::span<const sdk::Value*> written = std::span(found).subspan(first_steps_.size());
  find_first_steps(record, first_steps);
  RecordContext ctx{record};
  actions.reserve(actions.size() + rules_.size());
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const Rule& rule = rules_[i];
    const sdk::Value* in = input_of(rule, first_steps);
    if (!in || in->is_null()) continue;
    FieldAction action = action_of(rule);
    if (rule.impl->passes_input_through()) {
      written[i] = in;
    } else {
      rule.impl->apply(*in, ctx, results[i], action);
      if (!results[i].is_null()) written[i] = &results[i];
    }
    actions.push_back(std::move(action));
  }
  json.reserve(1024);
  plan_->write(record, written, json);
}

bool CompiledPolicy::apply_to_elements(const Rule& rule, const sdk::Value& array, const RecordContext& ctx,
                                       sdk::Value& out, FieldAction& action) const {
  if (!array.is_array()) return false;
  const auto& elements = array.as_array();
  sdk::Value::Array* into = nullptr;  // created once an element has the field
  bool found = false;
  for (std::size_t i = 0; i < elements.size(); ++i) {
    const sdk::Value* in = rule.from_path.find_in_element(elements[i]);
    if (!in || in->is_null()) continue;
    found = true;
    FieldAction one;
    sdk::Value result;
    rule.impl->apply(*in, ctx, result, one);
    add_findings(action, one);
    if (result.is_null()) continue;
    if (!into) into = &rule.to_path.array_in(out, elements.size());
    rule.to_path.store_in_element((*into)[i], std::move(result));
  }
  return found;
}

}  // namespace medgate::pipeline
