// Shared by the hl7_*.cpp files; not installed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/hl7.h"

namespace medgate::sdk::hl7 {

// The n-th (1-based) part of `s` split at `sep`; "" past the last part.
std::string_view nth_part(std::string_view s, char sep, std::size_t n) noexcept;
// The number of parts `s` splits into at `sep` (1 for "").
std::size_t part_count(std::string_view s, char sep) noexcept;
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, char sep);
// The first CR or LF in `s` at or after `pos`, or npos. Two memchr scans;
// string_view::find_first_of calls memchr once per byte of `s`.
std::size_t find_line_break(std::string_view s, std::size_t pos = 0) noexcept;

// [A-Z][A-Z0-9][A-Z0-9]
bool is_segment_id(std::string_view id) noexcept;
// `s` quoted for an error message: bytes outside printable ASCII as \xHH,
// cut after `max` bytes, so that messages stay ASCII and short. Messages go
// to logs: quote delimiters, ids and charset names, never field contents.
std::string quoted(std::string_view s, std::size_t max);
// Up to `n` bytes of `s` from `at` in hex: "D5 FF".
std::string hex_bytes(std::string_view s, std::size_t at, std::size_t n);
// Bytes shown where a conversion failed: enough to see why, too few to be
// a name (messages go to logs).
inline constexpr std::size_t kBadBytesShown = 2;

// Converts `bytes` in `from` to UTF-8, appending to `out`. On invalid bytes
// returns false with `bad_offset` at the first byte not converted; `out` then
// holds the conversion of everything before it. `bad_offset` is npos when
// there is no converter at all (see converter_missing()).
bool convert_to_utf8(std::string_view bytes, Charset from, std::string& out, std::size_t& bad_offset);
std::string converter_missing(Charset c);
// The length of the valid UTF-8 prefix of `s` (== s.size() when all valid).
std::size_t valid_utf8_prefix(std::string_view s) noexcept;

// Lets the parser fill a Message without public setters for the raw parts.
struct ParserAccess {
  static Segment make_segment(std::string id, const Delimiters& d, Charset c) { return Segment(std::move(id), d, c); }
  static std::vector<std::string>& fields(Segment& s) { return s.fields_; }
  static std::deque<Segment>& segments(Message& m) { return m.segments_; }
};

}  // namespace medgate::sdk::hl7
