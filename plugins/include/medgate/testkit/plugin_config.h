// medgate plugin test kit: the config the host hands a plugin, for tests that
// call a plugin's validate() or factory directly: every declared default
// first, then the test's own values (the host does the same after checking
// types; it also resolves relative `path` defaults, which this does not).
#pragma once

#include "medgate/sdk/options.h"
#include "medgate/sdk/value.h"

namespace medgate::testkit {

inline sdk::PluginConfig config_with_defaults(const sdk::OptionList& options, const sdk::Value& values) {
  sdk::Value v = sdk::Value::object();
  for (const sdk::Option& o : options)
    if (!o.default_value.is_null()) v[o.name] = o.default_value;
  if (values.is_object())
    for (const auto& [k, val] : values.as_object()) v[k] = val;
  return sdk::PluginConfig(std::move(v));
}

}  // namespace medgate::testkit
