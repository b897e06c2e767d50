#include "pipeline/scrub/text_scrubber.h"

#include "pipeline/scrub/address_parts.h"
#include "pipeline/scrub/email_finder.h"
#include "pipeline/scrub/found_spans.h"
#include "pipeline/scrub/number_finder.h"
#include "pipeline/scrub/utf8_text.h"

namespace medgate::pipeline {
namespace {
// What decides which detectors can find anything at all: the shortest number
// any of them accepts has 7 digits, an e-mail address needs an "@", and an
// address part one of the suffix characters (address_parts.h).
struct TextSurvey {
  std::size_t digits = 0;
  bool at_sign = false;
  bool address_suffix = false;
};

TextSurvey survey(std::string_view text) {
  TextSurvey s;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9')
      ++s.digits;
    else if (c == '@')
      s.at_sign = true;
    else if (c == '\xEF' && i + 2 < text.size() && text[i + 1] == '\xBC') {
      unsigned char d = static_cast<unsigned char>(text[i + 2]);
      if (d >= 0x90 && d <= 0x99)
        ++s.digits;  // full-width digit
      else if (d == 0xA0)
        s.at_sign = true;  // full-width @
    } else if (!s.address_suffix && (static_cast<unsigned char>(c) & 0xF0) == 0xE0) {
      s.address_suffix = scrub::address_suffix_end_at(text, i);
    }
  }
  return s;
}
}  // namespace

TextScrubber::TextScrubber(const sdk::Value* subject) : own_(subject) {}

std::string TextScrubber::scrub(std::string_view text, ScrubCounts& counts) const {
  TextSurvey s = survey(text);
  bool numbers = s.digits >= 7;
  if (!numbers && !s.at_sign && own_.empty()) return std::string(text);
  scrub::FoundSpans found;
  if (s.at_sign) scrub::find_emails(text, found);
  own_.find(text, s.address_suffix, found);
  if (numbers) scrub::find_numbers(text, own_.numbers(), found);
  if (found.empty()) return std::string(text);
  found.merge_adjacent_addresses();

  std::string out;
  out.reserve(text.size() + 8 * found.spans().size());
  std::size_t at = 0;
  for (const scrub::FoundSpan& span : found.spans()) {
    std::string_view type = scrub::placeholder_type(span.kind);
    out.append(text.substr(at, span.begin - at));
    out.push_back('[');
    out.append(type);
    out.push_back(']');
    ++counts.found[std::string(type)];
    at = span.end;
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace medgate::pipeline
