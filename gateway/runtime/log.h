// The daemon's log: one line per event on stderr (journald under systemd),
// "LEVEL component: message". Never pass personal data.
#pragma once

#include <string_view>

#include "medgate/sdk/plugin.h"

namespace medgate::runtime {

void log(sdk::LogLevel level, std::string_view component, std::string_view message);
void set_min_log_level(sdk::LogLevel level);

}  // namespace medgate::runtime
