// Checks a plugin instance's `config:` section against the options the plugin
// declares (its manifest): unknown keys, wrong types, missing required
// options; fills defaults; converts sizes and durations to integers and
// resolves paths against the config file's directory.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "config/yaml_reader.h"
#include "medgate/sdk/options.h"

namespace medgate::config {

// `where` names the section in messages, e.g. "sources.inbox.config";
// `owner_mark` is where problems with the section as a whole are reported.
// Returns false after reporting when anything is wrong.
bool validate_options(const YAML::Node& section, Mark owner_mark, const std::string& where,
                      const sdk::OptionList& options, const ReadContext& ctx, sdk::PluginConfig& out);

}  // namespace medgate::config
