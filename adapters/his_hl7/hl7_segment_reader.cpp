#include "hl7_segment_reader.h"

#include <map>

#include "hl7_datetime.h"

namespace medgate::his_hl7 {

sdk::hl7::Location SegmentAt::at(std::size_t field, std::size_t repetition, std::size_t component) const {
  return {index, id(), sequence, field, repetition, component, 0};
}

std::string SegmentAt::name(std::size_t field) const {
  return id() + "-" + std::to_string(field);
}

Result SegmentAt::failure(const char* code, std::size_t field, std::string message, std::size_t repetition,
                          std::size_t component) const {
  return Result::failure(code, at(field, repetition, component), std::move(message));
}

Result SegmentAt::timestamp(std::size_t field, std::size_t component, std::string_view default_offset,
                            std::string& out) const {
  out.clear();
  std::string value = text(field, component);
  if (value.empty()) return {};
  Hl7DateTime t;
  std::string problem;
  if (!parse_hl7_datetime(value, t, problem))
    return failure(kDataTypeError, field, name(field) + " is not a valid HL7 date/time: " + problem,
                   component > 1 ? 1 : 0, component > 1 ? component : 0);
  out = to_rfc3339(t, default_offset);
  return {};
}

Result put_timestamp(std::initializer_list<TimeField> candidates, std::string_view default_offset, const char* member,
                     sdk::Value& item) {
  std::string at;
  for (const TimeField& c : candidates) {
    if (!c.segment) continue;
    if (auto e = c.segment->timestamp(c.field, c.component, default_offset, at); !e.ok()) return e;
    if (!at.empty()) {
      item[member] = std::move(at);
      break;
    }
  }
  return {};
}

std::vector<SegmentAt> locate_segments(const sdk::hl7::Message& m) {
  std::vector<SegmentAt> out;
  out.reserve(m.segment_count());
  std::map<std::string, std::size_t, std::less<>> seen;
  for (const sdk::hl7::Segment& s : m.segments()) out.push_back({&s, out.size() + 1, ++seen[s.id()]});
  return out;
}

const SegmentAt* find_segment(std::span<const SegmentAt> segments, std::string_view id) {
  for (const SegmentAt& s : segments)
    if (s.id() == id) return &s;
  return nullptr;
}

Result missing_segment(const char* id, std::string message) {
  sdk::hl7::Location where;
  where.segment_id = id;
  return Result::failure(kSegmentSequenceError, where, std::move(message));
}

std::string shown_code(std::string_view code) {
  bool plain = !code.empty() && code.size() <= 16;
  for (char c : code)
    plain =
        plain && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' || c == '_');
  return plain ? std::string(code) : "(not shown)";
}

}  // namespace medgate::his_hl7
