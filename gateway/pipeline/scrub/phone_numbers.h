// Whether digits written as a phone number are a valid number: the decision
// is libphonenumber's (its metadata for region CN), not a pattern of ours.
// This is the only file that includes libphonenumber. All functions are safe
// to call from several threads at once.
#pragma once

#include <string_view>

namespace medgate::pipeline::scrub {

// The national significant number of a number as it is written in China, when
// it has one of these shapes ("+" is `plus`, the rest `digits`): +86 NSN,
// 0086 NSN (either also with the trunk 0: +86 (0)10 ...), 86 NSN (12 or 13
// digits in all), 0 NSN (trunk prefix before an area code), or an 11-digit
// number starting with 1 (a mobile). Empty
// otherwise, e.g. for 2026112210 (a date and an hour, not 020-2611 2210):
// landline numbers are written with their trunk 0 unless after +86.
std::string_view china_national_number(bool plus, std::string_view digits);

// True when the number is valid by libphonenumber: a Chinese one (the shapes
// above) through IsPossibleNumber + IsValidNumber on country code 86 and its
// national number; one with another country code after "+" or "00" through
// Parse(..., "CN") + IsValidNumber. Anything else is not a phone number.
bool is_valid_phone_number(bool plus, std::string_view digits);

// A Chinese number written with a trunk 0 or a +86/0086 prefix that
// libphonenumber finds possible for China (IsPossibleNumber: a length its
// metadata allows) though not valid, e.g. 021-8004 2568. The scrubber replaces
// these too when they stand alone (fail closed): nobody writes an order number
// with a trunk 0, and a missed phone number is a leak.
bool is_possible_prefixed_phone_number(bool plus, std::string_view digits);

// libphonenumber's own reading of `written`: Parse(written, "CN") +
// IsValidNumber. Slower (Parse is about 10 us); the reference that
// is_valid_phone_number must agree with on the shapes it accepts.
bool parses_as_valid_phone_number(std::string_view written);

}  // namespace medgate::pipeline::scrub
