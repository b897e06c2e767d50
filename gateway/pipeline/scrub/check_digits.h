// Validity rules of the identifier numbers the scrubber recognizes by their
// own structure: resident ID numbers (GB 11643-1999, and the 15-digit form
// issued before it) and bank card numbers (Luhn, ISO/IEC 7812).
#pragma once

#include <string_view>

namespace medgate::pipeline::scrub {

// GB 11643-1999 check digit ('0'..'9' or 'X') for the first 17 digits of a
// resident ID number: sum of digit * (2^(17-i) mod 11), then "10X98765432".
char resident_id_check_digit(std::string_view first17);

// 17 digits and the matching check digit (upper or lower-case x). Only the
// check digit is tested, not the area code or date: one random 18-digit
// number in eleven passes, which the scrubber accepts to never miss an ID.
bool is_valid_resident_id(std::string_view id18);

// A 15-digit ID number (before 1999): an area code whose first two digits are
// a province code, a valid date YYMMDD (19YY), and a 3-digit sequence number.
bool is_valid_legacy_resident_id(std::string_view id15);

// The Luhn check over a string of ASCII digits.
bool passes_luhn(std::string_view digits);

}  // namespace medgate::pipeline::scrub
