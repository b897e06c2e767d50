// parse(): delimiters from MSH-1/MSH-2, the character set from MSH-18, bytes
// to UTF-8, then segments and fields. Errors name the place they were found.
#include <algorithm>

#include "hl7_internal.h"

namespace medgate::sdk::hl7 {
namespace {

constexpr std::size_t kMsh18 = 18;
constexpr std::string_view kLineBreaks = "\r\n";

Location msh_field(std::size_t field) {
  return Location{1, "MSH", 1, field, 0, 0, 0};
}

bool is_delimiter_char(char c) noexcept {
  const bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  return c >= 0x21 && c <= 0x7E && !alnum;
}

bool is_blank(std::string_view line) noexcept {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::string_view first_line(std::string_view s) noexcept {
  return s.substr(0, find_line_break(s));
}

std::string_view after_last(std::string_view s, char c) noexcept {
  const std::size_t p = s.rfind(c);
  return p == std::string_view::npos ? s : s.substr(p + 1);
}

std::size_t count_of(std::string_view s, char c) noexcept {
  return static_cast<std::size_t>(std::count(s.begin(), s.end(), c));
}

// `text` starts with "MSH".
Result read_delimiters(std::string_view text, Delimiters& d) {
  if (text.size() < 4 || text[3] == '\r' || text[3] == '\n')
    return Result::failure("102", msh_field(1), "the field separator is missing");
  if (!is_delimiter_char(text[3]))
    return Result::failure("102", msh_field(1),
                           "field separator " + quoted(text.substr(3, 1), 1) +
                               " must be a printable ASCII character other than a letter or digit");
  d.field = text[3];
  const std::string_view line = first_line(text);
  const std::size_t end = line.find(d.field, 4);
  const std::string_view enc = line.substr(4, end == std::string_view::npos ? end : end - 4);
  if (enc.size() != 4 && enc.size() != 5)
    return Result::failure("102", msh_field(2),
                           "encoding characters " + quoted(enc, 8) +
                               " must be 4 characters (component, repetition, escape, subcomponent), or 5 with the "
                               "v2.7 truncation character");
  for (std::size_t i = 0; i < enc.size(); ++i) {
    if (!is_delimiter_char(enc[i]) || enc[i] == d.field || enc.substr(0, i).find(enc[i]) != std::string_view::npos)
      return Result::failure("102", msh_field(2),
                             "encoding characters " + quoted(enc, 8) +
                                 " must be distinct printable ASCII characters other than letters, digits and the "
                                 "field separator");
  }
  d.component = enc[0];
  d.repetition = enc[1];
  d.escape = enc[2];
  d.subcomponent = enc[3];
  d.truncation = enc.size() == 5 ? enc[4] : '\0';
  return {};
}

// What text(18) will read: the first subcomponent of the first component of
// the first repetition, unescaped ("GB 18030\T\2000" when '-' is a delimiter).
std::string first_element(std::string_view field, const Delimiters& d) {
  const std::string_view raw = nth_part(nth_part(nth_part(field, d.repetition, 1), d.component, 1), d.subcomponent, 1);
  return raw == "\"\"" ? std::string() : unescape(raw, d);
}

// MSH-18 (first repetition, first component) read from the raw bytes of the
// MSH line, before conversion. GB 18030 trail bytes can be '|' or '^'
// (0x40-0x7E), so with `gb_aware` whole multi-byte characters are stepped over.
std::string msh18_in_bytes(std::string_view line, const Delimiters& d, bool gb_aware) {
  std::size_t field = 2;  // line[3] is MSH-1; MSH-2 follows
  std::size_t start = std::string_view::npos;
  std::size_t i = 4;
  while (i < line.size()) {
    const auto b = static_cast<unsigned char>(line[i]);
    if (gb_aware && b >= 0x81 && b <= 0xFE && i + 1 < line.size()) {
      const auto n = static_cast<unsigned char>(line[i + 1]);
      i += (n >= 0x30 && n <= 0x39) ? 4 : ((n >= 0x40 && n <= 0x7E) || (n >= 0x80 && n <= 0xFE)) ? 2 : 1;
      continue;
    }
    if (line[i] == d.field) {
      ++field;
      if (field == kMsh18) start = i + 1;
      if (field == kMsh18 + 1) return first_element(line.substr(start, i - start), d);
    }
    ++i;
  }
  return start == std::string_view::npos ? std::string() : first_element(line.substr(start), d);
}

bool has_high_byte(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) > 0x7F; });
}

// Where the byte right after `prefix` (converted text, lines intact) stands.
Location locate(std::string_view prefix, const Delimiters& d) {
  const std::size_t cut = prefix.find_last_of(kLineBreaks);
  const std::size_t line_start = cut == std::string_view::npos ? 0 : cut + 1;
  const std::string_view line = prefix.substr(line_start);
  Location loc;
  if (line.size() >= 3 && is_segment_id(line.substr(0, 3))) loc.segment_id = std::string(line.substr(0, 3));
  loc.segment_index = 1;
  std::size_t sequence = 1;
  for (std::size_t pos = 0; pos < line_start;) {
    std::size_t end = find_line_break(prefix, pos);
    if (end == std::string_view::npos || end > line_start) end = line_start;
    const std::string_view earlier = prefix.substr(pos, end - pos);
    if (!is_blank(earlier)) {
      ++loc.segment_index;
      if (!loc.segment_id.empty() && earlier.substr(0, 3) == loc.segment_id) ++sequence;
    }
    pos = end + 1;
  }
  if (loc.segment_id.empty() || line.size() <= 3) return loc;
  loc.segment_sequence = sequence;
  const std::string_view rest = line.substr(3);
  const bool msh = loc.segment_id == "MSH";
  loc.field = count_of(rest, d.field) + (msh ? 1 : 0);
  if (loc.field == 0 || (msh && loc.field <= 2)) return loc;
  std::string_view part = after_last(rest, d.field);
  loc.repetition = count_of(part, d.repetition) + 1;
  part = after_last(part, d.repetition);
  loc.component = count_of(part, d.component) + 1;
  part = after_last(part, d.component);
  loc.subcomponent = count_of(part, d.subcomponent) + 1;
  return loc;
}

std::size_t sequence_of(const std::deque<Segment>& before, std::string_view id) {
  return 1 + static_cast<std::size_t>(
                 std::count_if(before.begin(), before.end(), [&](const Segment& s) { return s.id() == id; }));
}

// Splits converted text into `out`; on failure `out` keeps the segments before.
Result split_segments(std::string_view text, const Delimiters& d, Charset cs, Message& out,
                      const ParseOptions& options) {
  out = Message(d, cs);
  std::deque<Segment>& segments = ParserAccess::segments(out);
  std::size_t index = 0, total_fields = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t end = find_line_break(text, pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (is_blank(line)) continue;
    ++index;
    const std::string_view id = line.substr(0, 3);
    if (!is_segment_id(id) || (line.size() > 3 && line[3] != d.field))
      return Result::failure("100", Location{index, "", 0, 0, 0, 0, 0},
                             "a segment starts with its id (three capital letters or digits, such as PID) and then "
                             "the field separator " +
                                 quoted(std::string(1, d.field), 1) + ", not " + quoted(line, 4));
    const std::size_t sequence = sequence_of(segments, id);
    if (id == "MSH" && index > 1)
      return Result::failure("100", Location{index, "MSH", sequence, 0, 0, 0, 0},
                             "a second MSH segment: batches are not supported, send one message at a time");
    Segment segment = ParserAccess::make_segment(std::string(id), d, cs);
    std::vector<std::string>& fields = ParserAccess::fields(segment);
    if (id == "MSH") {  // the first line: read_delimiters() checked MSH-1 and MSH-2
      const std::string enc = d.encoding_characters();
      fields = {std::string(1, d.field), enc};
      const std::string_view after = line.substr(4 + enc.size());  // "" or "|MSH-3|..."
      if (!after.empty())
        for (std::string& f : split(after.substr(1), d.field)) fields.push_back(std::move(f));
    } else if (line.size() > 3) {
      fields = split(line.substr(4), d.field);
    }
    total_fields += fields.size();
    if (total_fields > options.max_fields)
      return Result::failure("207", Location{index, std::string(id), sequence, 0, 0, 0, 0},
                             "more than " + std::to_string(options.max_fields) + " fields in one message",
                             StatusCode::resource_exhausted);
    segments.push_back(std::move(segment));
  }
  return {};
}

// Converts from `cs` and splits. `base` is the offset of `text` in the input.
Result parse_as(std::string_view text, std::size_t base, Charset cs, std::string_view declared, const Delimiters& d,
                Message& out, const ParseOptions& options) {
  std::string utf8;
  std::size_t bad = 0;
  if (!convert_to_utf8(text, cs, utf8, bad)) {
    if (bad == std::string_view::npos)
      return Result::failure("207", msh_field(kMsh18), converter_missing(cs), StatusCode::internal);
    const std::size_t cut = utf8.find_last_of(kLineBreaks);  // keep the segments before the bad byte
    if (cut != std::string::npos) (void)split_segments(std::string_view(utf8).substr(0, cut), d, cs, out, options);
    return Result::failure("102", locate(utf8, d),
                           "bytes not valid in " + std::string(charset_name(cs)) + " at byte offset " +
                               std::to_string(base + bad) + " (" + hex_bytes(text, bad, kBadBytesShown) + ")");
  }
  if (Result r = split_segments(utf8, d, cs, out, options); !r.ok()) return r;
  if (out.segment_count() == 1)
    return Result::failure("100", Location{1, "MSH", 1, 0, 0, 0, 0}, "the message has no segment after MSH");
  Charset again = cs;
  const std::string msh18 = out.charset_field();
  if (!charset_from_msh18(msh18, again, options.default_charset).ok() || again != cs)
    return Result::failure("103", msh_field(kMsh18),
                           "character set reads " + quoted(msh18, 20) + " after conversion from " +
                               std::string(charset_name(cs)) + " but " + quoted(declared, 20) + " before");
  return {};
}

// Reads MSH-18 from the bytes first; when the MSH line has bytes above 0x7F
// also stepping over GB 18030 characters, and the first reading whose
// conversion and parse agree with it wins. On failure `out` holds the first
// reading's partial message.
Result parse_body(std::string_view text, std::size_t base, const Delimiters& d, const ParseOptions& options,
                  Message& out) {
  const std::string_view line = first_line(text);
  std::vector<std::string> declared{msh18_in_bytes(line, d, false)};
  if (has_high_byte(line)) {
    std::string gb = msh18_in_bytes(line, d, true);
    // Bytes can be valid both ways (D2 BD is UTF-8 too); a reading that
    // names GB 18030 only when stepping over GB 18030 characters goes first.
    Charset named = Charset::utf8;
    const bool names_gb = !gb.empty() && charset_from_msh18(gb, named).ok() && named == Charset::gb18030;
    if (gb != declared.front()) declared.insert(names_gb ? declared.begin() : declared.end(), std::move(gb));
  }
  Result first;
  for (std::size_t k = 0; k < declared.size(); ++k) {
    Message attempt;
    Charset cs = Charset::utf8;
    Result r;
    if (Status s = charset_from_msh18(declared[k], cs, options.default_charset); !s.ok())
      r = Result::failure("103", msh_field(kMsh18), s.message());
    else
      r = parse_as(text, base, cs, declared[k], d, attempt, options);
    if (r.ok() || k == 0) {
      out = std::move(attempt);
      first = std::move(r);
    }
    if (first.ok()) break;
  }
  return first;
}

}  // namespace

Result parse(std::string_view bytes, Message& out, const ParseOptions& options) {
  out = Message();
  if (bytes.size() > options.max_bytes)
    return Result::failure("207", {},
                           "message of " + std::to_string(bytes.size()) + " bytes is larger than the limit of " +
                               std::to_string(options.max_bytes) + " bytes",
                           StatusCode::resource_exhausted);
  std::size_t base = bytes.starts_with("\xEF\xBB\xBF") ? 3 : 0;  // a UTF-8 byte order mark
  while (base < bytes.size() && (bytes[base] == '\r' || bytes[base] == '\n')) ++base;
  const std::string_view text = bytes.substr(base);
  if (text.empty()) return Result::failure("100", {}, "the message is empty");
  if (!text.starts_with("MSH"))
    return Result::failure("100", {}, "the message does not start with MSH but with " + quoted(text, 4));
  Delimiters d;
  if (Result r = read_delimiters(text, d); !r.ok()) return r;

  const std::string_view line = first_line(text);
  Result result = line.size() == text.size()
                      ? Result::failure("100", Location{1, "MSH", 1, 0, 0, 0, 0},
                                        "missing segment separator: the message is a single line, and segments "
                                        "end with CR (0x0D)")
                      : parse_body(text, base, d, options, out);
  if (!result.ok() && out.header() == nullptr) {
    // Enough of the MSH for an ACK: the line with bytes above 0x7F as '?'.
    std::string ascii(line);
    for (char& c : ascii)
      if (static_cast<unsigned char>(c) > 0x7F) c = '?';
    Charset cs = Charset::ascii;
    if (!charset_from_msh18(msh18_in_bytes(line, d, false), cs, options.default_charset).ok()) cs = Charset::ascii;
    (void)split_segments(ascii, d, cs, out, options);
  }
  return result;
}

}  // namespace medgate::sdk::hl7
