// medgatectl quarantine list|show: inputs the sources or the gateway refused,
// through the admin API. `show` prints one input in clear: admin token only,
// and medgated records the read in the audit log before answering.
#pragma once

#include <string>
#include <vector>

#include "ctl/api_call.h"

namespace medgate::ctl {

int cmd_quarantine(const ApiTarget& at, const std::vector<std::string>& args);

}  // namespace medgate::ctl
