// The registry of desensitization methods. Each method lives in its own file
// under methods/; adding one means writing its factory there and one line here.
#include "pipeline/field_methods.h"

#include "pipeline/methods/builtin_methods.h"

namespace medgate::pipeline {

const MethodRegistry& MethodRegistry::builtin() {
  static const MethodRegistry registry = [] {
    MethodRegistry r;
    r.add("keep", methods::make_keep);
    r.add("drop", methods::make_drop);
    r.add("token", methods::make_token);
    r.add("mask", methods::make_mask);
    r.add("encrypt", methods::make_encrypt);
    r.add("generalize", methods::make_generalize);
    r.add("date_shift", methods::make_date_shift);
    r.add("scrub", methods::make_scrub);
    return r;
  }();
  return registry;
}

const MethodFactory* MethodRegistry::find(const std::string& name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : factories_) out.push_back(name);
  return out;
}

}  // namespace medgate::pipeline
