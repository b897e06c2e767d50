#include "pipeline/output_plan.h"

#include <algorithm>
#include <array>
#include <string_view>

#include "medgate/sdk/json.h"

namespace medgate::pipeline {
namespace {
std::vector<std::string_view> steps_of(std::string_view path) {
  std::vector<std::string_view> steps;
  for (std::size_t at = 0;;) {
    std::size_t dot = path.find('.', at);
    steps.push_back(path.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at));
    if (dot == std::string_view::npos) return steps;
    at = dot + 1;
  }
}

std::string key_json(std::string_view key) {
  std::string out;
  sdk::append_json_string(key, out);
  out.push_back(':');
  return out;
}

// Per-record scratch for the first rule written into each node: on the stack
// for plans of up to this many nodes (every shipped policy), else on the heap.
constexpr std::size_t kStackNodes = 256;
}  // namespace

std::unique_ptr<OutputPlan> OutputPlan::build(const std::vector<std::string>& to_paths,
                                              const std::vector<std::string>& envelope) {
  auto plan = std::unique_ptr<OutputPlan>(new OutputPlan());
  plan->nodes_.push_back(Node{});  // the output object
  for (std::size_t rule = 0; rule < to_paths.size(); ++rule) {
    std::vector<std::string_view> steps = steps_of(to_paths[rule]);
    if (std::find(envelope.begin(), envelope.end(), steps.front()) != envelope.end()) return nullptr;
    std::uint32_t at = 0;
    for (std::size_t s = 0; s < steps.size(); ++s) {
      const std::string_view step = steps[s];
      if (step.empty() || step == "*") return nullptr;
      const std::string wanted = key_json(step);
      std::uint32_t next = kNone;
      for (std::uint32_t child : plan->nodes_[at].children)
        if (plan->nodes_[child].key_json == wanted) next = child;
      const bool last = s + 1 == steps.size();
      if (next != kNone) {
        // The same path twice, or one path inside another's value.
        if (last || plan->nodes_[next].rule >= 0) return nullptr;
        at = next;
        continue;
      }
      Node node;
      node.key_json = wanted;
      node.parent = at;
      if (last) node.rule = static_cast<std::int32_t>(rule);
      plan->nodes_.push_back(std::move(node));
      next = static_cast<std::uint32_t>(plan->nodes_.size() - 1);
      plan->nodes_[at].children.push_back(next);
      at = next;
    }
    plan->leaf_of_rule_.push_back(at);
  }
  for (const auto& key : envelope) {
    plan->envelope_.push_back(key);
    plan->envelope_json_.push_back(key_json(key));
  }
  return plan;
}

void OutputPlan::write(const sdk::Value& record, std::span<const sdk::Value* const> written,
                       std::string& json) const {
  std::array<std::uint32_t, kStackNodes> on_stack;
  std::vector<std::uint32_t> on_heap;
  std::uint32_t* first = on_stack.data();
  if (nodes_.size() > kStackNodes) {
    on_heap.resize(nodes_.size());
    first = on_heap.data();
  }
  std::fill(first, first + nodes_.size(), kNone);
  // Rules in order: the first one to reach a node is the first written into it.
  for (std::size_t rule = 0; rule < written.size() && rule < leaf_of_rule_.size(); ++rule) {
    if (!written[rule]) continue;
    for (std::uint32_t n = leaf_of_rule_[rule]; n != 0 && first[n] == kNone; n = nodes_[n].parent)
      first[n] = static_cast<std::uint32_t>(rule);
  }

  sdk::JsonAppender out(json);  // one writer for every piece: trimmed once, at the end
  out.raw('{');
  bool any = false;
  for (std::size_t i = 0; i < envelope_.size(); ++i) {
    const sdk::Value* v = record.find(envelope_[i]);
    if (!v) continue;
    if (any) out.raw(',');
    any = true;
    out.raw(envelope_json_[i]);
    out.value(*v);
  }
  if (any && std::any_of(nodes_[0].children.begin(), nodes_[0].children.end(),
                         [&](std::uint32_t c) { return first[c] != kNone; }))
    out.raw(',');
  write_members(nodes_[0], first, written, out);
  out.raw('}');
}

void OutputPlan::write_members(const Node& node, const std::uint32_t* first,
                               std::span<const sdk::Value* const> written, sdk::JsonAppender& out) const {
  // Each member's first rule is distinct (their subtrees are disjoint): take
  // them in increasing order.
  bool any = false;
  for (std::uint32_t after = 0, rank = 0;; ++rank) {
    std::uint32_t next = kNone;
    for (std::uint32_t c : node.children)
      if (first[c] != kNone && (rank == 0 || first[c] > after) && (next == kNone || first[c] < first[next])) next = c;
    if (next == kNone) return;
    after = first[next];
    if (any) out.raw(',');
    any = true;
    const Node& member = nodes_[next];
    out.raw(member.key_json);
    if (member.rule >= 0) {
      out.value(*written[static_cast<std::size_t>(member.rule)]);
    } else {
      out.raw('{');
      write_members(member, first, written, out);
      out.raw('}');
    }
  }
}

}  // namespace medgate::pipeline
