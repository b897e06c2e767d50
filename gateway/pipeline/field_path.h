// A profile path, split once when a policy is compiled, so that applying a
// rule to a record walks the steps without re-parsing the path per record.
//   "patient.region.city"     a member, through objects
//   "charges.*.amount_cny"    the member amount_cny of each element of the
//                             array at charges (one "*" step at most, never
//                             the first; nothing after it: each element itself)
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/value.h"

namespace medgate::pipeline {

class FieldPath {
 public:
  // Why `path` is not a valid path; empty when it is.
  static std::string problem(std::string_view path);

  // `path` must be valid (problem() empty).
  explicit FieldPath(std::string_view path);

  // Whether the path goes through the elements of an array (a "*" step).
  bool each() const noexcept { return each_; }
  // The dotted path of that array ("charges"); empty when !each().
  const std::string& array() const noexcept { return array_; }

  // The value at this path in `v`, or nullptr when a step is missing. For
  // an element path, the array (use find_in_element on each element).
  const sdk::Value* find_in(const sdk::Value& v) const noexcept { return walk(v, steps_); }
  // The path's first step ("patient" of "patient.region.city").
  const std::string& first_step() const noexcept { return steps_.front(); }
  // find_in, given what the first step found in `v` (null: nothing).
  const sdk::Value* find_below_first(const sdk::Value* first) const noexcept {
    return first ? walk(*first, std::span(steps_).subspan(1)) : nullptr;
  }
  // The value at the part after "*" in one element, or nullptr.
  const sdk::Value* find_in_element(const sdk::Value& element) const noexcept { return walk(element, element_); }

  // Stores `value` at this path in `v`, creating objects on the way (as
  // sdk::Value::set_path does). Not for element paths.
  void store_in(sdk::Value& v, sdk::Value value) const { store(v, steps_, std::move(value)); }
  // The array of an element path in `v`, created (or replaced when not an
  // array) and grown with empty objects to at least `size` elements.
  sdk::Value::Array& array_in(sdk::Value& v, std::size_t size) const;
  // Stores `value` at the part after "*" in one element.
  void store_in_element(sdk::Value& element, sdk::Value value) const { store(element, element_, std::move(value)); }
  // Removes the elements of this path's array in `v` that are empty objects
  // (nothing was written into them), and the array when none is left.
  void prune_empty_elements(sdk::Value& v) const;

 private:
  static const sdk::Value* walk(const sdk::Value& v, std::span<const std::string> steps) noexcept {
    const sdk::Value* cur = &v;
    for (const auto& step : steps)
      if (!(cur = cur->find(step))) return nullptr;
    return cur;
  }
  static void store(sdk::Value& v, const std::vector<std::string>& steps, sdk::Value value) {
    sdk::Value* cur = &v;
    for (const auto& step : steps) {
      if (!cur->is_object()) *cur = sdk::Value::object();
      cur = &(*cur)[step];
    }
    *cur = std::move(value);
  }

  std::vector<std::string> steps_;    // to the member, or to the array of an element path
  std::vector<std::string> element_;  // after "*", inside each element
  bool each_ = false;
  std::string array_;
};

}  // namespace medgate::pipeline
