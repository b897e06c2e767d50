// UTC timestamps for records and logs.
#pragma once

#include <chrono>
#include <string>

namespace medgate::spool {

// e.g. "2026-11-23T01:02:03.456Z"
std::string utc_rfc3339(std::chrono::system_clock::time_point t);
inline std::string utc_now_rfc3339() { return utc_rfc3339(std::chrono::system_clock::now()); }

}  // namespace medgate::spool
