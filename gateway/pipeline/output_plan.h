// A policy's output written straight to JSON, without building the output as
// an sdk::Value first (no copies of kept subtrees, no object look-ups per
// write, nothing to destroy afterwards).
//
// The bytes are exactly those of sdk::to_json on the object CompiledPolicy::apply
// builds: the envelope members present in the record, in the given order; then
// the rules' outputs, nested by their dotted `to` paths, each object's members
// in the order of the first rule that wrote into them (rules run in order, so
// a member whose first rule found nothing takes the place of its first rule
// that did).
//
// Only for rules that write distinct plain paths: no "*" step, no path equal
// to or inside another rule's path, no path starting at an envelope member
// that is copied. Anything else (a later rule overwriting or merging into an
// earlier rule's output) takes the general path: build() says no.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "medgate/sdk/json.h"
#include "medgate/sdk/value.h"

namespace medgate::pipeline {

class OutputPlan {
 public:
  // A plan for one rule per entry of `to_paths` (in rule order) and the
  // envelope members `envelope`; null when the paths need the general path.
  static std::unique_ptr<OutputPlan> build(const std::vector<std::string>& to_paths,
                                           const std::vector<std::string>& envelope);

  // Appends the output object to `json`: the envelope members found in
  // `record`, then the rules' values; written[i] is what rule i wrote (null:
  // nothing). written.size() is the number of rules the plan was built for.
  void write(const sdk::Value& record, std::span<const sdk::Value* const> written, std::string& json) const;

 private:
  struct Node {
    std::string key_json;  // the member's key as JSON, with its colon: "patient":
    std::uint32_t parent = 0;
    std::int32_t rule = -1;  // a leaf: the rule writing it; -1 for an object
    std::vector<std::uint32_t> children;  // in the order the rules first write into them
  };
  static constexpr std::uint32_t kNone = UINT32_MAX;
  // Members of `node` (an object) with something written, ordered by the first
  // rule that wrote into each; `first[n]` is that rule for node n, or kNone.
  void write_members(const Node& node, const std::uint32_t* first, std::span<const sdk::Value* const> written,
                     sdk::JsonAppender& out) const;

  std::vector<std::string> envelope_;  // keys
  std::vector<std::string> envelope_json_;  // the same as JSON, with colons
  std::vector<Node> nodes_;            // [0] is the output object; a parent before its children
  std::vector<std::uint32_t> leaf_of_rule_;
};

}  // namespace medgate::pipeline
