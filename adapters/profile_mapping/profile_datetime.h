// Date-times of the source formats (HL7 DTM, FHIR dateTime/instant), once
// parsed into parts, -> the RFC 3339 timestamps and dates of the profile.
// Missing month and day read as 01 and a missing time as 00:00:00; a value
// without an offset gets the configured one (the sender's local time,
// usually +08:00).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace medgate::profile_mapping {

struct DateTimeParts {
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::size_t date_digits = 0;  // 4, 6 or 8 (the date part), so YYYY and YYYY-MM are told apart
  std::string fraction;         // the digits after '.', "" when none
  std::string offset;           // "+08:00" or "Z", "" when the value has none
};

// What is out of range (month 13, 30 February, hour 24, second 60), or
// nullptr when nothing is. Never names the value, which may be a birth date.
const char* date_time_range_problem(const DateTimeParts& t);

// "2026-05-05T08:34:00+08:00" (with ".S+" when the value had a fraction).
std::string to_rfc3339(const DateTimeParts& t, std::string_view default_offset);
// "2026-05-05"; only meaningful when date_digits == 8.
std::string to_date(const DateTimeParts& t);

// "Z" or +HH:MM / -HH:MM within -23:59..+23:59: what RFC 3339 and the gateway accept.
bool is_rfc3339_offset(std::string_view offset) noexcept;

}  // namespace medgate::profile_mapping
