// Free-text scrubbing: replaces personal data in notes, messages and review
// texts with typed placeholders ([ID], [PHONE], [NAME], [MRN]) and counts what
// it found per type (for the audit log; never the values).
// Finds: the record's own identifiers (subject.name, .resident_id, .phone,
// .mrn) wherever they occur, 18-digit resident ID numbers with a valid
// GB 11643 check digit, and 11-digit mainland mobile numbers.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/value.h"

namespace medgate::pipeline {

struct ScrubCounts {
  std::map<std::string, int> found;  // placeholder type -> count
};

class TextScrubber {
 public:
  // `subject`: the record's subject object (may be null).
  explicit TextScrubber(const sdk::Value* subject);
  std::string scrub(std::string_view text, ScrubCounts& counts) const;

 private:
  std::vector<std::pair<std::string, std::string>> known_;  // (value, placeholder type), longest first
};

// GB 11643-1999 check digit for the first 17 digits of a resident ID.
char resident_id_check_digit(std::string_view first17);
bool is_valid_resident_id(std::string_view id18);

}  // namespace medgate::pipeline
