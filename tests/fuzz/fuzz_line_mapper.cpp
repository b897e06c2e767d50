// libFuzzer target: the file source's line mapper (every inbox line passes
// through it). Any input must map to a record, be blank, or be refused with a
// reason from a fixed set of templates (so a reason never echoes the line's
// data); the length limit must be applied exactly; a record is an object
// with an event_type, and a flat mapping always sets its required members.
// (The JSON round trip of records is fuzz_json's job.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "line_mapper.h"
#include "medgate/sdk/json.h"

namespace {
using medgate::file_adapter::Format;
using medgate::file_adapter::map_line;
using medgate::file_adapter::MapResult;
using medgate::sdk::Value;

constexpr std::size_t kSmallLimit = 1024;

bool known_reason(std::string_view r) {
  for (std::string_view prefix : {"line of ", "not JSON: ", "not a JSON object (", "unrecognized record shape: ",
                                  "flat record: field '", "flat record: missing required field '", "duplicate key '"})
    if (r.starts_with(prefix)) return true;
  return false;
}

bool is_string(const Value& v, std::string_view path) {
  const Value* p = v.at_path(path);
  return p && p->is_string();
}

void check(const MapResult& r) {
  switch (r.kind) {
    case MapResult::Kind::record: {
      if (!r.record.is_object() || !r.record.find("event_type")) std::abort();
      // A flat line became a visit with its required members.
      if (r.record.find("encounter") && r.record.find("source_record_id") &&
          r.record.string_or("event_type", "") == "visit" && r.record.at_path("encounter.visit_type")) {
        if (!is_string(r.record, "source_record_id") || !is_string(r.record, "occurred_at")) std::abort();
      }
      break;
    }
    case MapResult::Kind::error:
      if (r.reason.empty() || !known_reason(r.reason)) std::abort();
      break;
    case MapResult::Kind::blank:
      break;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view line(reinterpret_cast<const char*>(data), size);
  MapResult r = map_line(line, Format::detect, 1 << 20);
  check(r);
  // A small limit: the length check and the mapping must agree.
  MapResult small = map_line(line, Format::detect, kSmallLimit);
  check(small);
  if (line.size() > kSmallLimit) {
    if (small.kind != MapResult::Kind::error || !small.reason.starts_with("line of ")) std::abort();
  } else if (small.kind != r.kind || (r.ok() && !(small.record == r.record))) {
    std::abort();
  }
  // The forced formats see the same input without crashing.
  check(map_line(line, Format::flat, 1 << 20));
  MapResult profile = map_line(line, Format::profile, 1 << 20);
  if (profile.ok() && !profile.record.is_object()) std::abort();
  return 0;
}
