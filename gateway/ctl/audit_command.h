// medgatectl audit verify|query|report: offline tools for compliance
// officers. They read the audit directory (and, for defaults, the config's
// audit section); medgated need not run.
#pragma once

#include <string>
#include <vector>

namespace medgate::ctl {

// `config_given`: --config was on the command line, so an unreadable config
// is an error rather than "no defaults".
int cmd_audit(const std::string& config, bool config_given, const std::vector<std::string>& args);

}  // namespace medgate::ctl
