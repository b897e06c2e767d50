// HL7 escape sequences (HL7 v2 chapter 2, "Use of escape sequences in text
// fields"), always with the message's own delimiters.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <optional>

#include "hl7_internal.h"

namespace medgate::sdk::hl7 {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// "Xhhhh" -> the bytes, appended to `out`; false when not even hex digits.
bool decode_hex(std::string_view seq, std::string& out) {
  if (seq.size() < 3 || seq[0] != 'X' || (seq.size() - 1) % 2 != 0) return false;
  std::string bytes;
  for (std::size_t i = 1; i < seq.size(); i += 2) {
    const int hi = hex_value(seq[i]), lo = hex_value(seq[i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes += static_cast<char>(hi * 16 + lo);
  }
  out += bytes;
  return true;
}

struct Named {
  char c;
  std::string_view name;
};

// The escapes that stand for one character: \F\ \S\ \T\ \R\ \E\, \P\ (v2.7, when a
// truncation character is declared) and \.br\ for a line break.
std::array<Named, 7> named(const Delimiters& d) {
  return {{{d.field, "F"},
           {d.component, "S"},
           {d.subcomponent, "T"},
           {d.repetition, "R"},
           {d.escape, "E"},
           {d.truncation, "P"},
           {'\n', ".br"}}};
}

// With '.' among the delimiters \.br\ would be split apart; a line break is
// then written \X0A\.
bool dot_is_delimiter(const Delimiters& d) {
  return d.field == '.' || d.encoding_characters().find('.') != std::string::npos;
}

std::string_view name_of(char c, const Delimiters& d) {
  if (c == '\0') return {};
  for (const Named& n : named(d))
    if (n.c == c) return n.name == ".br" && dot_is_delimiter(d) ? std::string_view() : n.name;
  return {};
}

bool same_name(std::string_view a, std::string_view b) noexcept {  // \.BR\ is seen too
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

std::optional<char> char_of(std::string_view seq, const Delimiters& d) {
  for (const Named& n : named(d))
    if (n.c != '\0' && (seq == n.name || (n.name == ".br" && same_name(seq, n.name)))) return n.c;
  return std::nullopt;
}

}  // namespace

std::string escape(std::string_view text, const Delimiters& d) {
  const char e = d.escape;
  std::string out;
  if (text == "\"\"") return std::string{e} + "X2222" + e;
  out.reserve(text.size() + 8);
  // A byte that may need escaping: a delimiter, a control character (a line
  // break among them) or DEL. Runs of other bytes are copied whole.
  auto may_need_escape = [&d](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F || c == d.field || c == d.component || c == d.repetition || c == d.escape ||
           c == d.subcomponent || (c == d.truncation && c != '\0');
  };
  for (std::size_t i = 0; i < text.size();) {
    std::size_t run = i;
    while (run < text.size() && !may_need_escape(text[run])) ++run;
    out.append(text, i, run - i);
    if (run == text.size()) break;
    const char c = text[run];
    i = run + 1;
    const std::string_view name = name_of(c, d);
    if (!name.empty()) {
      out += e;
      out += name;
      out += e;
    } else if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F) {
      char hex[8];  // a CR would end the segment, 0x0B/0x1C the MLLP frame
      std::snprintf(hex, sizeof hex, "X%02X", static_cast<unsigned char>(c));
      out += e;
      out += hex;
      out += e;
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape(std::string_view raw, const Delimiters& d, Charset charset) {
  const char e = d.escape;
  std::string out;
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    // Up to the next escape character, copied whole.
    const std::size_t at = raw.find(e, i);
    out.append(raw.substr(i, at == std::string_view::npos ? std::string_view::npos : at - i));
    if (at == std::string_view::npos) break;
    i = at;
    const std::size_t close = raw.find(e, i + 1);
    if (close == std::string_view::npos) {  // unterminated: as written
      out.append(raw.substr(i));
      break;
    }
    const std::string_view seq = raw.substr(i + 1, close - i - 1);
    std::size_t next = close + 1;
    if (const std::optional<char> c = char_of(seq, d)) {
      out += *c;
    } else if (seq == "H" || seq == "N") {
      // highlighting on/off: no meaning in plain text
    } else {
      std::string bytes;
      if (decode_hex(seq, bytes)) {
        // Adjacent \X..\ sequences are one run: a character may span two.
        while (next < raw.size() && raw[next] == e) {
          const std::size_t c2 = raw.find(e, next + 1);
          if (c2 == std::string_view::npos || !decode_hex(raw.substr(next + 1, c2 - next - 1), bytes)) break;
          next = c2 + 1;
        }
        std::string text;
        std::size_t bad = 0;
        if (convert_to_utf8(bytes, charset == Charset::gb18030 ? Charset::gb18030 : Charset::utf8, text, bad)) {
          out += text;
        } else {
          out.append(raw.substr(i, next - i));  // not text in this charset: as written
        }
      } else {
        out.append(raw.substr(i, next - i));  // unknown (\Zxx\, \Cxxyy\, \.sp\): as written
      }
    }
    i = next;
  }
  return out;
}

}  // namespace medgate::sdk::hl7
