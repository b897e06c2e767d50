// UTC timestamps for records and logs.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace medgate::spool {

// e.g. "2026-11-23T01:02:03.456Z"
std::string utc_rfc3339(std::chrono::system_clock::time_point t);
inline std::string utc_now_rfc3339() { return utc_rfc3339(std::chrono::system_clock::now()); }

// Parses "YYYY-MM-DD" (midnight UTC) or RFC 3339 "YYYY-MM-DDTHH:MM[:SS[.fff...]]"
// with "Z" or "+HH:MM"/"-HH:MM" ('t', 'z' and a space for 'T' accepted).
// False when the text is anything else or names an impossible date.
bool parse_rfc3339(std::string_view text, std::chrono::system_clock::time_point& out);

}  // namespace medgate::spool
