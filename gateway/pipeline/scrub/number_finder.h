// Numbers in free text: resident ID numbers, phone numbers and bank card
// numbers, in ASCII or full-width digits, as one block or in groups with the
// separators staff type (spaces, hyphens, dots, parentheses, a leading "+").
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "pipeline/scrub/found_spans.h"

namespace medgate::pipeline::scrub {

// The record's own numbers: found in any of the written forms even when they
// would not pass the general checks (a wrong check digit, an unassigned range).
// Views into the SubjectTerms they come from.
struct OwnNumbers {
  static constexpr std::size_t kMaxPhoneKeys = 8;
  std::string_view resident_id;                              // digits, upper-case X; empty when none
  std::array<std::string_view, kMaxPhoneKeys> phone_keys{};  // national numbers / all digits of subject.phone
  std::size_t phone_key_count = 0;
};

// Finds numbers in the parts of `text` not yet in `found` and claims them.
// A candidate is a run of digit groups joined by up to three separators
// (white space, - . ( ) and their full-width forms; a "+" starts a number); from
// each group on, the longest candidate of the first kind that matches wins,
// kinds tried in this order:
//  [ID]    18 digits (or 17 + X/x) with the GB 11643 check digit, or 15 digits
//          of a pre-1999 ID (province code, valid date), as one block or in
//          the groupings people use (6-8-4, 6-4-4-4, 4-4-4-4-2, 6-6-6, ...);
//  [PHONE] a number libphonenumber calls valid (see phone_numbers.h);
//  [CARD]  13 to 19 digits passing Luhn, as one block or in groups of 4.
void find_numbers(std::string_view text, const OwnNumbers& own, FoundSpans& found);

}  // namespace medgate::pipeline::scrub
