#include "medgate/sdk/options.h"

#include <stdexcept>

#include "medgate/sdk/json.h"

namespace medgate::sdk {

const char* option_type_name(OptionType t) noexcept {
  switch (t) {
    case OptionType::string: return "string";
    case OptionType::integer: return "integer";
    case OptionType::boolean: return "boolean";
    case OptionType::number: return "number";
    case OptionType::path: return "path";
    case OptionType::size: return "size";
    case OptionType::duration: return "duration";
    case OptionType::string_list: return "list of strings";
  }
  return "unknown";
}

namespace {
Value unit_alternative(int minimum) {
  Value v = Value::object();
  v["type"] = "integer";
  v["minimum"] = minimum;
  return v;
}
Value unit_alternative(const char* pattern) {
  Value v = Value::object();
  v["type"] = "string";
  v["pattern"] = pattern;
  return v;
}

Value option_schema(const Option& o) {
  Value s = Value::object();
  switch (o.type) {
    case OptionType::string:
    case OptionType::path: s["type"] = "string"; break;
    case OptionType::integer: s["type"] = "integer"; break;
    case OptionType::boolean: s["type"] = "boolean"; break;
    case OptionType::number: s["type"] = "number"; break;
    // Sizes and durations: a plain integer (bytes, milliseconds) or a string
    // with a unit, exactly what the gateway's config loader accepts
    // (gateway/config/units.cpp). anyOf keeps ajv's strict mode happy.
    case OptionType::size:
      s["anyOf"] = Value(Value::Array{
          unit_alternative(0), unit_alternative("^\\s*[0-9]+(\\.[0-9]+)? *([bB]|[kKmMgGtT]([iI]?[bB])?)?\\s*$")});
      break;
    case OptionType::duration:
      s["anyOf"] = Value(Value::Array{unit_alternative(0), unit_alternative("^\\s*[0-9]+(\\.[0-9]+)? *(ms|s|m|h|d)?\\s*$")});
      break;
    case OptionType::string_list:
      s["type"] = "array";
      s["items"]["type"] = "string";
      break;
  }
  s["description"] = o.description;
  if (!o.default_value.is_null()) s["default"] = o.default_value;
  return s;
}
}  // namespace

std::string options_json_schema(const OptionList& options, std::string_view title) {
  Value schema = Value::object();
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  schema["title"] = title;
  schema["type"] = "object";
  schema["additionalProperties"] = false;
  Value& props = schema["properties"];
  props = Value::object();
  Value::Array required;
  for (const auto& o : options) {
    props[o.name] = option_schema(o);
    if (o.required) required.emplace_back(o.name);
  }
  if (!required.empty()) schema["required"] = Value(std::move(required));
  return to_json(schema);
}

const Value& PluginConfig::get(std::string_view name) const {
  const Value* v = values_.find(name);
  if (!v) throw std::out_of_range("config option not declared or not set: " + std::string(name));
  return *v;
}

const std::string& PluginConfig::get_string(std::string_view name) const { return get(name).as_string(); }
std::int64_t PluginConfig::get_int(std::string_view name) const { return get(name).as_int(); }
bool PluginConfig::get_bool(std::string_view name) const { return get(name).as_bool(); }
double PluginConfig::get_double(std::string_view name) const { return get(name).as_double(); }
bool PluginConfig::has(std::string_view name) const {
  const Value* v = values_.find(name);
  return v && !v->is_null();
}

std::vector<std::string> PluginConfig::get_list(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& e : get(name).as_array()) out.push_back(e.as_string());
  return out;
}

}  // namespace medgate::sdk
