#include "pipeline/field_path.h"

#include <algorithm>

namespace medgate::pipeline {

std::string FieldPath::problem(std::string_view path) {
  const std::string quoted = "path '" + std::string(path) + "'";
  std::size_t arrays = 0, steps = 0;
  for (std::size_t at = 0;; ++steps) {
    const std::size_t dot = path.find('.', at);
    const std::string_view step =
        path.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at);
    if (step.empty()) return path.empty() ? "the path is empty" : quoted + " has an empty step";
    if (step == "*") {
      if (steps == 0) return quoted + " starts with '*'; it follows the array whose elements it means, as in charges.*.amount_cny";
      ++arrays;
    } else if (step.find('*') != std::string_view::npos) {
      return quoted + ": '*' (each element of an array) is a step of its own, as in charges.*.amount_cny";
    }
    if (dot == std::string_view::npos) break;
    at = dot + 1;
  }
  if (arrays > 1) return quoted + " goes through more than one array ('*'); one at most";
  return {};
}

FieldPath::FieldPath(std::string_view path) {
  std::vector<std::string>* into = &steps_;
  while (true) {
    const std::size_t dot = path.find('.');
    const std::string_view step = path.substr(0, dot);
    if (step == "*") {
      each_ = true;
      into = &element_;
    } else {
      into->emplace_back(step);
    }
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  if (each_)
    for (const auto& step : steps_) array_ += (array_.empty() ? "" : ".") + step;
}

sdk::Value::Array& FieldPath::array_in(sdk::Value& v, std::size_t size) const {
  sdk::Value* cur = &v;
  for (const auto& step : steps_) {
    if (!cur->is_object()) *cur = sdk::Value::object();
    cur = &(*cur)[step];
  }
  if (!cur->is_array()) *cur = sdk::Value::array();
  sdk::Value::Array& array = cur->as_array();
  while (array.size() < size) array.push_back(sdk::Value::object());
  return array;
}

void FieldPath::prune_empty_elements(sdk::Value& v) const {
  sdk::Value* parent = &v;
  for (std::size_t i = 0; i + 1 < steps_.size(); ++i)
    if (!(parent = parent->find(steps_[i]))) return;
  sdk::Value* array = parent->find(steps_.back());
  if (!array || !array->is_array()) return;
  auto& elements = array->as_array();
  elements.erase(std::remove_if(elements.begin(), elements.end(),
                                [](const sdk::Value& e) { return e.is_object() && e.as_object().empty(); }),
                 elements.end());
  if (elements.empty()) parent->erase(steps_.back());
}

}  // namespace medgate::pipeline
