// MSH-18 character sets: names, and conversion to and from UTF-8 (glibc iconv
// for GB 18030; ASCII and UTF-8 are checked here).
#include <iconv.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "hl7_internal.h"

namespace medgate::sdk::hl7 {
namespace {

// "Unicode UTF-8 " -> "UNICODEUTF8": case, spaces, '-' and '_' do not matter.
std::string squeeze(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == ' ' || c == '-' || c == '_' || c == '\t') continue;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

bool digits_only(std::string_view s) noexcept {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Converts with iconv; on EILSEQ/EINVAL returns false with `bad` at the input
// offset that did not convert.
bool iconv_convert(const char* to, const char* from, std::string_view in, std::string& out, std::size_t& bad) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    bad = std::string_view::npos;  // no converter (glibc gconv modules missing)
    return false;
  }
  char* src = const_cast<char*>(in.data());
  std::size_t left = in.size();
  char buf[4096];
  bool ok = true;
  while (left > 0) {
    char* dst = buf;
    std::size_t room = sizeof buf;
    std::size_t r = iconv(cd, &src, &left, &dst, &room);
    out.append(buf, static_cast<std::size_t>(dst - buf));
    if (r == static_cast<std::size_t>(-1) && errno != E2BIG) {
      ok = false;  // EILSEQ: invalid sequence; EINVAL: incomplete at the end
      break;
    }
  }
  iconv_close(cd);
  bad = static_cast<std::size_t>(src - in.data());
  return ok;
}

}  // namespace

std::string hex_bytes(std::string_view s, std::size_t at, std::size_t n) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (std::size_t i = at; i < s.size() && i < at + n; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (!out.empty()) out += ' ';
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::string converter_missing(Charset c) {
  return "no converter for " + std::string(charset_name(c)) + " (glibc iconv cannot open it: gconv modules missing?)";
}

std::string_view charset_name(Charset c) noexcept {
  switch (c) {
    case Charset::ascii:
      return "ASCII";
    case Charset::utf8:
      return "UNICODE UTF-8";
    case Charset::gb18030:
      return "GB 18030-2000";
  }
  return "";
}

Status charset_from_msh18(std::string_view value, Charset& out, Charset if_empty) {
  const std::string v = squeeze(value);
  if (v.empty()) {
    out = if_empty;
  } else if (v == "ASCII" || v == "USASCII") {
    out = Charset::ascii;
  } else if (v == "UNICODEUTF8" || v == "UNICODE" || v == "UTF8") {
    out = Charset::utf8;
  } else if ((v.starts_with("GB18030") && digits_only(v.substr(7))) ||
             (v.starts_with("GB2312") && digits_only(v.substr(6))) || v == "GBK") {
    out = Charset::gb18030;  // GB 18030 contains GB2312 and GBK byte for byte
  } else {
    return Status::Invalid("unsupported character set " + quoted(value, 20) + " (supported: ASCII, UNICODE UTF-8, " +
                           "GB 18030-2000)");
  }
  return Status::Ok();
}

std::size_t valid_utf8_prefix(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    // ASCII, most of an HL7 message, 8 bytes at a time.
    if (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if ((w & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b < 0x80) {
      ++i;
      continue;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 3;
      if (b == 0xE0) lo = 0xA0;  // no overlong forms
      if (b == 0xED) hi = 0x9F;  // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 4;
      if (b == 0xF0) lo = 0x90;
      if (b == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return i;
    }
    i += n;
  }
  return i;
}

bool convert_to_utf8(std::string_view bytes, Charset from, std::string& out, std::size_t& bad_offset) {
  switch (from) {
    case Charset::ascii:
      for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (static_cast<unsigned char>(bytes[i]) > 0x7F) {
          out.append(bytes.substr(0, i));
          bad_offset = i;
          return false;
        }
      }
      out.append(bytes);
      return true;
    case Charset::utf8: {
      const std::size_t n = valid_utf8_prefix(bytes);
      out.append(bytes.substr(0, n));
      bad_offset = n;
      return n == bytes.size();
    }
    case Charset::gb18030:
      return iconv_convert("UTF-8", "GB18030", bytes, out, bad_offset);
  }
  bad_offset = 0;
  return false;
}

Status to_utf8(std::string_view bytes, Charset from, std::string& out) {
  out.clear();
  std::size_t bad = 0;
  if (convert_to_utf8(bytes, from, out, bad)) return Status::Ok();
  out.clear();
  if (bad == std::string_view::npos) return Status::Internal(converter_missing(from));
  return Status::Invalid("bytes not valid in " + std::string(charset_name(from)) + " at byte offset " +
                         std::to_string(bad) + " (" + hex_bytes(bytes, bad, kBadBytesShown) + ")");
}

Status from_utf8(std::string_view text, Charset to, std::string& out) {
  out.clear();
  const std::size_t valid = valid_utf8_prefix(text);
  if (valid != text.size())
    return Status::Invalid("text is not valid UTF-8 at byte offset " + std::to_string(valid) + " (" +
                           hex_bytes(text, valid, kBadBytesShown) + ")");
  switch (to) {
    case Charset::ascii:
      for (std::size_t i = 0; i < text.size(); ++i)
        if (static_cast<unsigned char>(text[i]) > 0x7F)
          return Status::Invalid("text has a character ASCII cannot hold at byte offset " + std::to_string(i));
      out.assign(text);
      return Status::Ok();
    case Charset::utf8:
      out.assign(text);
      return Status::Ok();
    case Charset::gb18030: {
      std::size_t bad = 0;
      if (iconv_convert("GB18030", "UTF-8", text, out, bad)) return Status::Ok();
      out.clear();
      if (bad == std::string_view::npos) return Status::Internal(converter_missing(to));
      return Status::Invalid("text GB 18030 cannot hold at byte offset " + std::to_string(bad));
    }
  }
  return Status::Internal("unknown character set");
}

}  // namespace medgate::sdk::hl7
