// A dotted profile path ("patient.region.city") split once, when a policy is
// compiled, so that applying a rule to a record walks the steps without
// re-parsing the path for every record.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/value.h"

namespace medgate::pipeline {

class FieldPath {
 public:
  explicit FieldPath(std::string_view dotted) {
    while (true) {
      auto dot = dotted.find('.');
      steps_.emplace_back(dotted.substr(0, dot));
      if (dot == std::string_view::npos) break;
      dotted.remove_prefix(dot + 1);
    }
  }

  // The value at this path in `v`, or nullptr when a step is missing.
  const sdk::Value* find_in(const sdk::Value& v) const noexcept {
    const sdk::Value* cur = &v;
    for (const auto& step : steps_)
      if (!(cur = cur->find(step))) return nullptr;
    return cur;
  }

  // Stores `value` at this path in `v`, creating objects on the way (as
  // sdk::Value::set_path does).
  void store_in(sdk::Value& v, sdk::Value value) const {
    sdk::Value* cur = &v;
    for (const auto& step : steps_) {
      if (!cur->is_object()) *cur = sdk::Value::object();
      cur = &(*cur)[step];
    }
    *cur = std::move(value);
  }

 private:
  std::vector<std::string> steps_;
};

}  // namespace medgate::pipeline
