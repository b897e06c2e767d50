#include "pipeline/methods/method_params.h"

#include <algorithm>

namespace medgate::pipeline::methods {

sdk::Status Params::check_unknown() const {
  if (!rule_.params.is_object()) return sdk::Status::Ok();
  for (const auto& [k, v] : rule_.params.as_object())
    if (!allowed_.count(k)) return sdk::Status::Invalid("method '" + rule_.method + "' takes no parameter '" + k + "'");
  return sdk::Status::Ok();
}

sdk::Status Params::integer(const char* name, std::int64_t def, std::int64_t lo, std::int64_t hi,
                            std::int64_t& out) const {
  out = def;
  const sdk::Value* v = rule_.params.find(name);
  if (!v) return sdk::Status::Ok();
  if (!v->is_int() || v->as_int() < lo || v->as_int() > hi)
    return sdk::Status::Invalid(std::string("parameter '") + name + "' must be an integer from " + std::to_string(lo) +
                                " to " + std::to_string(hi));
  out = v->as_int();
  return sdk::Status::Ok();
}

sdk::Status Params::required_integer(const char* name, std::int64_t lo, std::int64_t hi, std::int64_t& out) const {
  if (!rule_.params.find(name))
    return sdk::Status::Invalid("method '" + rule_.method + "' needs parameter '" + name + "' (an integer from " +
                                std::to_string(lo) + " to " + std::to_string(hi) + ")");
  return integer(name, 0, lo, hi, out);
}

sdk::Status Params::string(const char* name, const std::string& def, std::string& out) const {
  out = def;
  const sdk::Value* v = rule_.params.find(name);
  if (!v) return sdk::Status::Ok();
  if (!v->is_string()) return sdk::Status::Invalid(std::string("parameter '") + name + "' must be a string");
  out = v->as_string();
  return sdk::Status::Ok();
}

sdk::Status Params::boolean(const char* name, bool def, bool& out) const {
  out = def;
  const sdk::Value* v = rule_.params.find(name);
  if (!v) return sdk::Status::Ok();
  if (!v->is_bool()) return sdk::Status::Invalid(std::string("parameter '") + name + "' must be true or false");
  out = v->as_bool();
  return sdk::Status::Ok();
}

std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    n = std::min(n, s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace medgate::pipeline::methods
