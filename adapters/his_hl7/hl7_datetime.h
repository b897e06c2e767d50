// HL7 v2 DTM values -> the RFC 3339 timestamps and dates of the profile.
//
// DTM is YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]. Missing month and day read
// as 01 and a missing time as 00:00:00; a value without an offset gets the
// configured one (the sender's local time, usually +08:00).
#pragma once

#include <string>
#include <string_view>

#include "profile_datetime.h"

namespace medgate::his_hl7 {

// date_digits 4, 6 or 8 tells YYYY and YYYYMM apart; offset "+08:00", "" when the value has none.
using Hl7DateTime = profile_mapping::DateTimeParts;
using profile_mapping::is_rfc3339_offset;
using profile_mapping::to_date;
using profile_mapping::to_rfc3339;

// Parses `text`; on failure returns false with `problem` saying what is wrong
// (never the value itself, which may be a birth date).
bool parse_hl7_datetime(std::string_view text, Hl7DateTime& out, std::string& problem);

}  // namespace medgate::his_hl7
