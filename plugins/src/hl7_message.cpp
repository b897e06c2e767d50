// The message model: segments keep each field as written (escaped); reading
// splits and unescapes on demand, building escapes and joins.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "hl7_internal.h"

namespace medgate::sdk::hl7 {

std::string_view nth_part(std::string_view s, char sep, std::size_t n) noexcept {
  if (n == 0) return {};
  std::size_t start = 0;
  for (std::size_t k = 1; k < n; ++k) {
    const std::size_t p = s.find(sep, start);
    if (p == std::string_view::npos) return {};
    start = p + 1;
  }
  const std::size_t end = s.find(sep, start);
  return s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
}

std::size_t part_count(std::string_view s, char sep) noexcept {
  // 8 bytes at a time: in x = w ^ (sep in every byte) a byte is zero where w
  // holds `sep`; ~(((x & 0x7f..) + 0x7f..) | x | 0x7f..) has the top bit of
  // exactly those bytes set (no carry crosses bytes). Shifted down to one
  // bit per byte and multiplied by 0x0101..01, the top byte is their sum
  // (at most 8; no popcount instruction in the x86-64 baseline).
  constexpr std::uint64_t ones = 0x0101010101010101ULL, low7 = 0x7f7f7f7f7f7f7f7fULL;
  const std::uint64_t pattern = ones * static_cast<unsigned char>(sep);
  std::size_t count = 1, i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t x = w ^ pattern;
    const std::uint64_t hits = (~(((x & low7) + low7) | x | low7)) >> 7;
    count += static_cast<std::size_t>((hits * ones) >> 56);
  }
  for (; i < s.size(); ++i) count += s[i] == sep;
  return count;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  parts.reserve(part_count(s, sep));  // one allocation, no strings moved as it grows
  std::size_t start = 0;
  for (;;) {
    const std::size_t p = s.find(sep, start);
    if (p == std::string_view::npos) {
      parts.emplace_back(s.substr(start));
      return parts;
    }
    parts.emplace_back(s.substr(start, p - start));
    start = p + 1;
  }
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

std::size_t find_line_break(std::string_view s, std::size_t pos) noexcept {
  if (pos >= s.size()) return std::string_view::npos;
  const char* from = s.data() + pos;
  const std::size_t n = s.size() - pos;
  const auto* cr = static_cast<const char*>(std::memchr(from, '\r', n));
  const std::size_t before_cr = cr != nullptr ? static_cast<std::size_t>(cr - from) : n;
  if (const auto* lf = static_cast<const char*>(std::memchr(from, '\n', before_cr))) return pos + (lf - from);
  return cr != nullptr ? pos + before_cr : std::string_view::npos;
}

bool is_segment_id(std::string_view id) noexcept {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return id.size() == 3 && upper(id[0]) && (upper(id[1]) || digit(id[1])) && (upper(id[2]) || digit(id[2]));
}

std::string quoted(std::string_view s, std::size_t max) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b >= 0x20 && b < 0x7F && b != '"') {
      out += static_cast<char>(b);
    } else {
      out += "\\x";
      out += hex[b >> 4];
      out += hex[b & 15];
    }
  }
  if (s.size() > max) out += "...";
  return out + "\"";
}

std::string Delimiters::encoding_characters() const {
  std::string s{component, repetition, escape, subcomponent};
  if (truncation != '\0') s += truncation;
  return s;
}

namespace {
bool is_header_slot(const std::string& id, std::size_t field) {
  return id == "MSH" && (field == 1 || field == 2);
}
}  // namespace

Presence Segment::presence(std::size_t field) const noexcept {
  if (field == 0 || field > fields_.size()) return Presence::absent;
  const std::string& f = fields_[field - 1];
  if (f.empty()) return Presence::empty;
  if (f == "\"\"" && !is_header_slot(id_, field)) return Presence::null;
  return Presence::valued;
}

std::string_view Segment::raw(std::size_t field) const noexcept {
  if (field == 0 || field > fields_.size()) return {};
  return fields_[field - 1];
}

std::string_view Segment::raw(const Position& p) const {
  const std::string_view f = raw(p.field);
  if (is_header_slot(id_, p.field))  // MSH-1/MSH-2 hold delimiters: not split
    return p.repetition == 1 && p.component == 1 && p.subcomponent == 1 ? f : std::string_view{};
  const std::string_view rep = nth_part(f, delimiters_.repetition, p.repetition);
  const std::string_view comp = nth_part(rep, delimiters_.component, p.component);
  return nth_part(comp, delimiters_.subcomponent, p.subcomponent);
}

bool Segment::is_null(const Position& p) const {
  return !is_header_slot(id_, p.field) && raw(p) == "\"\"";
}

std::string Segment::text(const Position& p) const {
  const std::string_view leaf = raw(p);
  if (is_header_slot(id_, p.field)) return std::string(leaf);
  if (leaf == "\"\"") return {};
  return unescape(leaf, delimiters_, charset_);
}

std::string Segment::text(std::size_t field, std::size_t component, std::size_t subcomponent) const {
  return text(Position{field, 1, component, subcomponent});
}

std::vector<std::string> Segment::repetition_texts(std::size_t field, std::size_t component) const {
  std::vector<std::string> out;
  const std::size_t n = repetition_count(field);
  for (std::size_t r = 1; r <= n; ++r) out.push_back(text(Position{field, r, component, 1}));
  return out;
}

std::size_t Segment::repetition_count(std::size_t field) const {
  if (field == 0 || field > fields_.size()) return 0;
  if (is_header_slot(id_, field)) return 1;
  return part_count(fields_[field - 1], delimiters_.repetition);
}

std::size_t Segment::component_count(std::size_t field, std::size_t repetition) const {
  if (repetition == 0 || repetition > repetition_count(field)) return 0;
  if (is_header_slot(id_, field)) return 1;
  return part_count(nth_part(fields_[field - 1], delimiters_.repetition, repetition), delimiters_.component);
}

std::size_t Segment::subcomponent_count(std::size_t field, std::size_t repetition, std::size_t component) const {
  if (component == 0 || component > component_count(field, repetition)) return 0;
  if (is_header_slot(id_, field)) return 1;
  const std::string_view rep = nth_part(fields_[field - 1], delimiters_.repetition, repetition);
  return part_count(nth_part(rep, delimiters_.component, component), delimiters_.subcomponent);
}

std::string& Segment::field_slot(std::size_t field) {
  if (fields_.size() < field) fields_.resize(field);
  return fields_[field - 1];
}

void Segment::set_text(const Position& p, std::string_view text) {
  if (p.field == 0 || is_header_slot(id_, p.field)) return;
  std::string& f = field_slot(p.field);
  const bool first_leaf = p.repetition <= 1 && p.component <= 1 && p.subcomponent <= 1;
  if (first_leaf && f.find(delimiters_.repetition) == std::string::npos &&
      f.find(delimiters_.component) == std::string::npos && f.find(delimiters_.subcomponent) == std::string::npos) {
    f = escape(text, delimiters_);  // a field of one leaf: what the split and joins below would give
    return;
  }
  // Grow each level to the position asked for, set the leaf, join back.
  std::vector<std::string> reps = split(f, delimiters_.repetition);
  const std::size_t r = std::max<std::size_t>(p.repetition, 1);
  if (reps.size() < r) reps.resize(r);
  std::vector<std::string> comps = split(reps[r - 1], delimiters_.component);
  const std::size_t c = std::max<std::size_t>(p.component, 1);
  if (comps.size() < c) comps.resize(c);
  std::vector<std::string> subs = split(comps[c - 1], delimiters_.subcomponent);
  const std::size_t s = std::max<std::size_t>(p.subcomponent, 1);
  if (subs.size() < s) subs.resize(s);
  subs[s - 1] = escape(text, delimiters_);
  comps[c - 1] = join(subs, delimiters_.subcomponent);
  reps[r - 1] = join(comps, delimiters_.component);
  f = join(reps, delimiters_.repetition);
}

void Segment::set_null(std::size_t field) {
  if (field == 0 || is_header_slot(id_, field)) return;
  field_slot(field) = "\"\"";
}

Status Segment::set_raw(std::size_t field, std::string_view raw) {
  if (field == 0) return Status::Invalid("field numbers start at 1");
  if (is_header_slot(id_, field)) return Status::Invalid("MSH-1 and MSH-2 follow the message's delimiters");
  if (raw.find(delimiters_.field) != std::string_view::npos || find_line_break(raw) != std::string_view::npos)
    return Status::Invalid(id_ + "-" + std::to_string(field) +
                           ": raw field text holds the field separator or a line break");
  field_slot(field).assign(raw);
  return Status::Ok();
}

const Segment* Message::find(std::string_view id, std::size_t occurrence) const noexcept {
  for (const Segment& s : segments_)
    if (s.id() == id && --occurrence == 0) return &s;
  return nullptr;
}

Segment* Message::find(std::string_view id, std::size_t occurrence) noexcept {
  return const_cast<Segment*>(static_cast<const Message*>(this)->find(id, occurrence));
}

std::vector<const Segment*> Message::find_all(std::string_view id) const {
  std::vector<const Segment*> out;
  for (const Segment& s : segments_)
    if (s.id() == id) out.push_back(&s);
  return out;
}

std::string Message::msh_text(std::size_t field, std::size_t component) const {
  const Segment* h = header();
  return h != nullptr ? h->text(field, component) : std::string();
}

Segment* Message::add_segment(std::string_view id) {
  if (!is_segment_id(id)) return nullptr;
  if (segments_.empty() != (id == "MSH")) return nullptr;  // MSH first, and only once
  Segment s(std::string(id), delimiters_, charset_);
  if (id == "MSH") s.fields_ = {std::string(1, delimiters_.field), delimiters_.encoding_characters()};
  segments_.push_back(std::move(s));
  return &segments_.back();
}

std::string Message::serialize(std::string_view segment_separator) const {
  std::string out;
  for (const Segment& s : segments_) {
    out += s.id();
    const bool msh = s.id() == "MSH";
    for (std::size_t i = 0; i < s.fields_.size(); ++i) {
      if (!(msh && i == 1)) out += delimiters_.field;  // MSH-1 is the separator itself
      if (!(msh && i == 0)) out += s.fields_[i];
    }
    out += segment_separator;
  }
  return out;
}

Status Message::encode(std::string& out) const {
  return from_utf8(serialize(), charset_, out);
}

std::string Location::to_string() const {
  if (segment_index == 0 && segment_id.empty()) return "message";
  std::string s = "segment";
  if (segment_index > 0) s += " " + std::to_string(segment_index);
  if (!segment_id.empty()) s += segment_index > 0 ? " (" + segment_id + ")" : " " + segment_id;
  if (field > 0) s += " field " + std::to_string(field);
  if (repetition > 1) s += " repetition " + std::to_string(repetition);
  if (component > 1 || subcomponent > 1) s += " component " + std::to_string(component);
  if (subcomponent > 1) s += " subcomponent " + std::to_string(subcomponent);
  return s;
}

Result Result::failure(std::string code, Location where, std::string message, StatusCode status_code) {
  Result r;
  if (where.segment_index > 0 || !where.segment_id.empty()) message = where.to_string() + ": " + message;
  r.status = Status(status_code, std::move(message));
  r.location = std::move(where);
  r.code = std::move(code);
  return r;
}

Result check_header(const Message& m) {
  const Segment* h = m.header();
  if (h == nullptr) return Result::failure("100", {}, "message has no MSH segment");
  struct Required {
    std::size_t field, component;
    const char* name;
  };
  static const Required required[] = {{9, 1, "MSH-9.1 (message code)"},
                                      {9, 2, "MSH-9.2 (trigger event)"},
                                      {10, 1, "MSH-10 (message control id)"},
                                      {11, 1, "MSH-11 (processing id)"},
                                      {12, 1, "MSH-12 (version id)"}};
  for (const Required& r : required) {
    if (r.field == 9 && r.component == 2 && m.message_code() == "ACK") continue;  // ACK had no trigger before v2.4
    if (!h->text(r.field, r.component).empty()) continue;
    Location where{1, "MSH", 1, r.field, 0, 0, 0};
    if (r.field == 9) {  // a component of MSH-9 is missing, not the field
      where.repetition = 1;
      where.component = r.component;
    }
    return Result::failure("101", where, std::string("required field ") + r.name + " is empty");
  }
  return {};
}

}  // namespace medgate::sdk::hl7
