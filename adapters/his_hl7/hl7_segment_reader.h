// Reading segments for the mapper: a segment together with where it stands
// in its message, so that a bad value becomes an hl7::Result that points at
// its field (ERR-2), plus the text helpers the facet mappers share.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/hl7.h"
#include "medgate/sdk/value.h"
#include "profile_text.h"
#include "subject_members.h"

namespace medgate::his_hl7 {

using sdk::hl7::Result;

// HL7 table 0357 codes the mapper uses.
inline constexpr const char* kSegmentSequenceError = "100";
inline constexpr const char* kRequiredFieldMissing = "101";
inline constexpr const char* kDataTypeError = "102";
inline constexpr const char* kTableValueNotFound = "103";
inline constexpr const char* kValueTooLong = "104";
inline constexpr const char* kUnsupportedMessageType = "200";
inline constexpr const char* kUnsupportedEventCode = "201";
inline constexpr const char* kUnsupportedVersionId = "203";

using profile_mapping::characters;
using profile_mapping::has_cjk;
using profile_mapping::kMaxIdentifierChars;
using profile_mapping::put_text;
using profile_mapping::truncated;

struct SegmentAt {
  const sdk::hl7::Segment* segment = nullptr;
  std::size_t index = 0;     // position in the message, MSH = 1
  std::size_t sequence = 0;  // 1 for the first segment with this id, 2 for the second, ...

  const std::string& id() const { return segment->id(); }
  std::string text(std::size_t field, std::size_t component = 1, std::size_t subcomponent = 1) const {
    return segment->text(field, component, subcomponent);
  }
  std::string text(const sdk::hl7::Position& p) const { return segment->text(p); }
  // Field level when repetition and component are 0 (as check_header() does).
  sdk::hl7::Location at(std::size_t field, std::size_t repetition = 0, std::size_t component = 0) const;
  // "PID-7", for messages.
  std::string name(std::size_t field) const;
  Result failure(const char* code, std::size_t field, std::string message, std::size_t repetition = 0,
                 std::size_t component = 0) const;

  // The DTM at field.component of the first repetition as RFC 3339 in `out`
  // ("" when empty or null); code 102 when it is not a valid DTM.
  Result timestamp(std::size_t field, std::size_t component, std::string_view default_offset, std::string& out) const;
};

// A DTM field: PV1-44 is {&pv1, 44}, SCH-11.4 is {&sch, 11, 4}.
struct TimeField {
  const SegmentAt* segment;  // nullptr: a segment the message does not have
  std::size_t field;
  std::size_t component = 1;
};

// The first non-empty DTM among `candidates` as RFC 3339 at item[member];
// nothing when all are empty; code 102 for an invalid one.
Result put_timestamp(std::initializer_list<TimeField> candidates, std::string_view default_offset, const char* member,
                     sdk::Value& item);

// Every segment of `m` in order, with index and sequence.
std::vector<SegmentAt> locate_segments(const sdk::hl7::Message& m);
// The first segment with `id` in `segments`, or nullptr.
const SegmentAt* find_segment(std::span<const SegmentAt> segments, std::string_view id);

// Result for a segment that is not there at all.
Result missing_segment(const char* id, std::string message);

// A code from the message (a type code, a message type) as a message may show
// it: sender data, so only when it looks like a code; else "(not shown)".
std::string shown_code(std::string_view code);

}  // namespace medgate::his_hl7
