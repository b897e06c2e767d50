// Typed readers for a policy rule's parameters. Unknown parameters are errors
// (fail closed: a misspelt `keep_lst` must not silently mean the default).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.h"
#include "medgate/sdk/status.h"

namespace medgate::pipeline::methods {

class Params {
 public:
  Params(const config::PolicyRule& rule, std::set<std::string> allowed) : rule_(rule), allowed_(std::move(allowed)) {}
  sdk::Status check_unknown() const;
  sdk::Status integer(const char* name, std::int64_t def, std::int64_t lo, std::int64_t hi, std::int64_t& out) const;
  // Like integer(), but the parameter must be present.
  sdk::Status required_integer(const char* name, std::int64_t lo, std::int64_t hi, std::int64_t& out) const;
  sdk::Status string(const char* name, const std::string& def, std::string& out) const;
  sdk::Status boolean(const char* name, bool def, bool& out) const;
  const sdk::Value* raw(const char* name) const { return rule_.params.find(name); }

 private:
  const config::PolicyRule& rule_;
  std::set<std::string> allowed_;
};

// Splits UTF-8 text into code points (an invalid byte counts as one).
std::vector<std::string_view> code_points(std::string_view s);

}  // namespace medgate::pipeline::methods
