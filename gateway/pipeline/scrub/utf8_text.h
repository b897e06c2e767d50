// Byte-level helpers for scanning UTF-8 text without decoding all of it: the
// scrubber's detectors look at digits, separators and white space, which are
// ASCII or a handful of three-byte full-width forms. Invalid UTF-8 is read as
// single bytes that are none of these, so it can neither crash a scan nor
// hide an identifier next to it. Inline: they run once per byte of every text.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace medgate::pipeline::scrub {

inline bool is_utf8_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the well-formed character starting at `i`, or 1 for a byte that
// does not start one (a stray continuation byte, a truncated sequence, ...).
inline std::size_t utf8_char_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0)
      lo = 0xA0;  // no overlong forms
    else if (c == 0xED)
      hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;
  } else {
    return 1;
  }
  if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 1;
  for (std::size_t k = 2; k < n; ++k)
    if (!is_utf8_continuation(byte(i + k))) return 1;
  return n;
}

// The code point at `i` and its byte length; U+FFFD (length 1) for a byte that
// does not start a well-formed character.
inline char32_t code_point_at(std::string_view s, std::size_t i, std::size_t& len) {
  len = utf8_char_length(s, i);
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (len == 1) return c < 0x80 ? c : 0xFFFD;
  char32_t cp = c & (0xFF >> (len + 1));
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// The digit 0..9 at `i`, ASCII or full-width (U+FF10..U+FF19), with its byte
// length in `len`; -1 when there is none.
inline int digit_at(std::string_view s, std::size_t i, std::size_t& len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c >= '0' && c <= '9') {
    len = 1;
    return c - '0';
  }
  // Full-width digits U+FF10..U+FF19 are EF BC 90..99.
  if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBC) {
    unsigned char d = static_cast<unsigned char>(s[i + 2]);
    if (d >= 0x90 && d <= 0x99) {
      len = 3;
      return d - 0x90;
    }
  }
  return -1;
}

// Byte length of the white space at `i` (space, tab, no-break space U+00A0,
// ideographic space U+3000), 0 when there is none.
inline std::size_t space_at(std::string_view s, std::size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t') return 1;
  if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) return 2;
  if (c == 0xE3 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
      static_cast<unsigned char>(s[i + 2]) == 0x80)
    return 3;
  return 0;
}

bool is_valid_utf8(std::string_view s);
std::size_t utf8_char_count(std::string_view s);  // an invalid byte counts as one character

}  // namespace medgate::pipeline::scrub
