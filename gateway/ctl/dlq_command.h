// medgatectl dlq list|show|replay|drop: the dead-letter queue through the
// admin API.
#pragma once

#include <string>
#include <vector>

#include "ctl/api_call.h"

namespace medgate::ctl {

int cmd_dlq(const ApiTarget& at, const std::vector<std::string>& args);

}  // namespace medgate::ctl
