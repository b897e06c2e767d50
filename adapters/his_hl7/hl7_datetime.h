// HL7 v2 DTM values -> the RFC 3339 timestamps and dates of the profile.
//
// DTM is YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]. Missing month and day read
// as 01 and a missing time as 00:00:00; a value without an offset gets the
// configured one (the sender's local time, usually +08:00).
#pragma once

#include <string>
#include <string_view>

namespace medgate::his_hl7 {

struct Hl7DateTime {
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  std::size_t date_digits = 0;  // 4, 6 or 8 (the date part), so YYYY and YYYYMM are told apart
  std::string fraction;         // the digits after '.', "" when none
  std::string offset;           // "+08:00", "" when the value has none
};

// Parses `text`; on failure returns false with `problem` saying what is wrong
// (never the value itself, which may be a birth date).
bool parse_hl7_datetime(std::string_view text, Hl7DateTime& out, std::string& problem);

// "2026-05-05T08:34:00+08:00" (with ".S+" when the value had a fraction).
std::string to_rfc3339(const Hl7DateTime& t, std::string_view default_offset);
// "2026-05-05"; only meaningful when date_digits == 8.
std::string to_date(const Hl7DateTime& t);

// "Z" or +HH:MM / -HH:MM within -23:59..+23:59: what RFC 3339 and the gateway accept.
bool is_rfc3339_offset(std::string_view offset) noexcept;

}  // namespace medgate::his_hl7
