// The `his_hl7` source's options, declared once (name, type, default,
// description); validation and the JSON Schema derive from the declaration.
#pragma once

#include <medgate/sdk/options.h>
#include <medgate/sdk/status.h>

#include <chrono>
#include <string>

#include "hl7_profile_mapper.h"
#include "mllp_server.h"

namespace medgate::his_hl7 {

struct HisHl7Options {
  MllpServerOptions server;
  std::string default_charset = "utf8";  // what an empty MSH-18 means
  std::size_t dedupe_window = 100'000;   // accepted messages remembered for duplicate detection
  std::string application = "MEDGATE";   // MSH-3 of our ACKs when the message names no receiver
  std::string facility;                  // MSH-4 of our ACKs, likewise
  MappingOptions mapping;

  static sdk::OptionList declare();
  static sdk::Status validate(const sdk::PluginConfig& config);
  static HisHl7Options from(const sdk::PluginConfig& config);  // config already validated
};

}  // namespace medgate::his_hl7
