#include "pipeline/scrub/utf8_text.h"

namespace medgate::pipeline::scrub {

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = utf8_char_length(s, i);
    if (n == 1) return false;
    i += n;
  }
  return true;
}

std::size_t utf8_char_count(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); i += utf8_char_length(s, i)) ++count;
  return count;
}

}  // namespace medgate::pipeline::scrub
