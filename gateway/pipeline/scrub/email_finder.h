// E-mail addresses in free text: local@domain.tld in ASCII, with "@" or the
// full-width "＠" a Chinese input method types.
#pragma once

#include <string_view>

#include "pipeline/scrub/found_spans.h"

namespace medgate::pipeline::scrub {

// Claims each address as [EMAIL]. The local part is the longest run of
// letters, digits and . _ % + - before the "@" (leading dots dropped); the
// domain the longest run of whole labels (letters, digits, hyphens) after it
// with at least two labels, none empty, the last starting with two letters.
// Runs before the other detectors, so a phone number used as a local part
// ("13812345678@163.com") is one [EMAIL].
void find_emails(std::string_view text, FoundSpans& found);

}  // namespace medgate::pipeline::scrub
