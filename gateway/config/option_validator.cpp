#include "config/option_validator.h"

namespace medgate::config {
namespace {
bool convert(const YAML::Node& n, const sdk::Option& o, const ReadContext& ctx, sdk::Value& out, std::string& why) {
  switch (o.type) {
    case sdk::OptionType::string: {
      std::string s;
      if (!read_string(n, s, why)) return false;
      out = sdk::Value(std::move(s));
      return true;
    }
    case sdk::OptionType::path: {
      std::string s;
      if (!read_string(n, s, why)) return false;
      if (s.empty()) {
        why = "must not be empty";
        return false;
      }
      out = sdk::Value(ctx.resolve_path(s));
      return true;
    }
    case sdk::OptionType::integer: {
      std::int64_t i;
      if (!read_int(n, i, why)) return false;
      out = sdk::Value(i);
      return true;
    }
    case sdk::OptionType::number: {
      double d;
      if (!read_number(n, d, why)) return false;
      out = sdk::Value(d);
      return true;
    }
    case sdk::OptionType::boolean: {
      bool b;
      if (!read_bool(n, b, why)) return false;
      out = sdk::Value(b);
      return true;
    }
    case sdk::OptionType::size: {
      std::uint64_t v;
      if (!read_size(n, v, why)) return false;
      out = sdk::Value(static_cast<std::int64_t>(v));
      return true;
    }
    case sdk::OptionType::duration: {
      std::int64_t v;
      if (!read_duration(n, v, why)) return false;
      out = sdk::Value(v);
      return true;
    }
    case sdk::OptionType::string_list: {
      std::vector<std::string> v;
      if (!read_string_list(n, v, why)) return false;
      sdk::Value::Array a(v.begin(), v.end());
      out = sdk::Value(std::move(a));
      return true;
    }
  }
  why = "has an unsupported option type";
  return false;
}

// Defaults are declared in the option's own type, except that paths resolve
// like configured ones. An empty default path means "not set" and stays empty.
sdk::Value default_of(const sdk::Option& o, const ReadContext& ctx) {
  if (o.type == sdk::OptionType::path && o.default_value.is_string() && !o.default_value.as_string().empty())
    return sdk::Value(ctx.resolve_path(o.default_value.as_string()));
  return o.default_value;
}
}  // namespace

bool validate_options(const YAML::Node& section, Mark owner_mark, const std::string& where,
                      const sdk::OptionList& options, const ReadContext& ctx, sdk::PluginConfig& out) {
  std::size_t errors_before = ctx.diags.items().size();
  MapReader reader(section, where, ctx);
  sdk::Value values = sdk::Value::object();
  for (const auto& o : options) {
    YAML::Node n = reader.take(o.name);
    if (!n.IsDefined() || n.IsNull()) {
      if (o.required)
        ctx.error(section.IsDefined() && !section.IsNull() ? reader.mark() : owner_mark,
                  "missing required option '" + where + "." + o.name + "' (" + sdk::option_type_name(o.type) + ": " +
                      o.description + ")");
      values[o.name] = default_of(o, ctx);
      continue;
    }
    std::string why;
    sdk::Value v;
    if (!convert(n, o, ctx, v, why)) {
      ctx.error(n, "'" + where + "." + o.name + "' " + why);
      continue;
    }
    values[o.name] = std::move(v);
  }
  if (reader.valid()) reader.finish();
  out = sdk::PluginConfig(std::move(values));
  return ctx.diags.items().size() == errors_before;
}

}  // namespace medgate::config
