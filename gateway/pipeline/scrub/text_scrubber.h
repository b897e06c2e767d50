// Free-text scrubbing: replaces personal data in notes, messages and review
// texts with typed placeholders and counts what it found per type (for the
// audit log; never the values). Found, in this order (the first to claim a
// piece of text keeps it):
//   [EMAIL]                 e-mail addresses (email_finder.h)
//   the record's own identifiers from `subject` (subject_terms.h):
//     [NAME] [ID] [PHONE] [MRN] [EMAIL] [ADDRESS]
//   [ID] [PHONE] [CARD]     resident ID numbers, phone numbers (libphonenumber)
//                           and Luhn-valid card numbers, in any of the written
//                           forms (number_finder.h)
// A text with fewer than 7 digits, no "@" and none of the record's own values
// costs one pass over its bytes plus one search per own value.
// Thread-safe: scrub() is const and may run on several threads at once.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "medgate/sdk/value.h"
#include "pipeline/scrub/check_digits.h"
#include "pipeline/scrub/subject_terms.h"

namespace medgate::pipeline {

struct ScrubCounts {
  std::map<std::string, int> found;  // placeholder type ("PHONE") -> count
};

class TextScrubber {
 public:
  // `subject`: the record's subject object (may be null); its values are copied.
  explicit TextScrubber(const sdk::Value* subject);
  std::string scrub(std::string_view text, ScrubCounts& counts) const;

 private:
  scrub::SubjectTerms own_;
};

using scrub::is_valid_resident_id;
using scrub::resident_id_check_digit;

}  // namespace medgate::pipeline
