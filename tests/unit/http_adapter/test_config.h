// The http target's config as the host hands it over: declared defaults,
// then the test's values.
#pragma once

#include "http_target_options.h"
#include "medgate/testkit/plugin_config.h"

namespace medgate::testing {

inline sdk::PluginConfig http_config(const sdk::Value& values) {
  return testkit::config_with_defaults(http_adapter::HttpTargetOptions::declare(), values);
}

}  // namespace medgate::testing
