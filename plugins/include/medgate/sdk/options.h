// A plugin declares each of its config options once, Fluent Bit style: name,
// type, default, description. The host validates config sections against it
// (unknown keys, wrong types, missing required options), fills defaults, and
// derives the JSON Schema and documentation from the same list.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/value.h"

namespace medgate::sdk {

enum class OptionType {
  string,
  integer,
  boolean,
  number,
  path,         // a string naming a file or directory
  size,         // "64MiB", "512k" or a plain byte count; delivered as integer bytes
  duration,     // "250ms", "5s", "2m", "1h" or plain milliseconds; delivered as integer ms
  string_list,  // a sequence of strings
};

const char* option_type_name(OptionType t) noexcept;

struct Option {
  std::string name;
  OptionType type = OptionType::string;
  std::string description;
  Value default_value;  // null: no default
  bool required = false;
};

using OptionList = std::vector<Option>;

// JSON Schema (2020-12) for a config section declared by `options`.
std::string options_json_schema(const OptionList& options, std::string_view title);

// Validated plugin configuration: every declared option is present (defaults
// filled in) with its declared type, so the getters below cannot fail for
// declared options. Sizes and durations arrive as integers.
class PluginConfig {
 public:
  PluginConfig() : values_(Value::object()) {}
  explicit PluginConfig(Value values) : values_(std::move(values)) {}

  const std::string& get_string(std::string_view name) const;
  std::int64_t get_int(std::string_view name) const;
  bool get_bool(std::string_view name) const;
  double get_double(std::string_view name) const;
  std::vector<std::string> get_list(std::string_view name) const;
  bool has(std::string_view name) const;
  const Value& values() const noexcept { return values_; }

 private:
  const Value& get(std::string_view name) const;
  Value values_;
};

}  // namespace medgate::sdk
