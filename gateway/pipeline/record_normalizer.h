// Stage 1, normalize: checks a source's record against the input contract
// (schemas/input_record.schema.json, docs/profile-schema.md) and completes the
// envelope: schema_version, record_id (stable: derived from source and
// source_record_id), source, ingested_at.
//
// The contract is a static table (input_record_spec()) that a unit test holds
// equal to the schema files, so a schema change without a code change fails.
// Refusal messages name field paths, types and limits, never values: values
// can be personal data, and the reason is logged and stored with the record.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"

namespace medgate::pipeline {

inline constexpr int kProfileSchemaVersion = 1;

class RecordNormalizer {
 public:
  // `ingested_at` is shared by a batch (one clock read per batch).
  sdk::Status normalize(const std::string& source, const std::string& ingested_at, sdk::Value& body) const;
};

// hex(SHA-256(source 0x1f source_record_id))[0:32]
std::string derive_record_id(const std::string& source, const std::string& source_record_id);
bool is_known_event_type(std::string_view t);

// RFC 3339 date-time with offset: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM),
// 'T' and 'Z' in either case. Second 60 (a leap second) only at 23:59 UTC.
enum class TimestampProblem : std::uint8_t { none, syntax, month, day, hour, minute, second, leap_second, offset };
TimestampProblem check_timestamp(std::string_view s) noexcept;

// ---- The input contract as data --------------------------------------------

enum class FieldKind : std::uint8_t {
  string,   // JSON string: min_length/max_length in characters, optional pattern
  integer,  // JSON integer (not 1.0) within [minimum, maximum]
  number,   // any JSON number
  boolean,
  enumeration,   // a string among `values` (a schema enum, const, or anyOf of them)
  timestamp,     // string, format date-time (check_timestamp)
  scalar,        // number, boolean, or string of at most max_length characters
  identifier,    // raw identifier: string (<= max_length), number, or an array of them
  object,        // members in `object`
  object_array,  // array whose items are objects with members in `object`
};

// What an object does with members its table does not list.
enum class ExtraMembers : std::uint8_t { refused, any, checked };

struct StringPattern {
  std::string_view regex;  // exactly as in the schema (for the table test and messages)
  bool (*matches)(std::string_view) noexcept;
};

struct ObjectSpec;

inline constexpr std::int64_t kNoMinimum = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t kNoMaximum = std::numeric_limits<std::int64_t>::max();
inline constexpr std::uint32_t kNoMaxLength = std::numeric_limits<std::uint32_t>::max();

struct FieldSpec {
  std::string_view name;
  FieldKind kind;
  bool required = false;
  std::span<const std::string_view> values = {};  // enumeration
  std::int64_t minimum = kNoMinimum;              // integer
  std::int64_t maximum = kNoMaximum;
  std::uint32_t min_length = 0;  // string, scalar, identifier (characters)
  std::uint32_t max_length = kNoMaxLength;
  const StringPattern* pattern = nullptr;  // string
  const ObjectSpec* object = nullptr;      // object, object_array
};

struct ObjectSpec {
  static constexpr std::size_t kMaxFields = 64;  // the checker keeps one bit per field
  std::span<const FieldSpec> fields;
  ExtraMembers extra = ExtraMembers::refused;
  const FieldSpec* other = nullptr;  // ExtraMembers::checked: what every other member must be
};

// The input record's top level: source_record_id, event_type, occurred_at,
// then the facets (subject, patient, ...). Members the gateway sets are not
// in it; they are in gateway_set_fields().
const ObjectSpec& input_record_spec() noexcept;
// Dotted paths a source must not set: the envelope members the gateway adds
// and the pseudonymous tokens it issues (patient.token, channels.phone_token, ...).
std::span<const std::string_view> gateway_set_fields() noexcept;

}  // namespace medgate::pipeline
