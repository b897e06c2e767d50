// JSON text <-> Value, for records, config and plugin payloads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"

namespace medgate::sdk {

struct JsonLimits {
  std::size_t max_bytes = 16u << 20;  // refuse larger documents
  std::size_t max_depth = 64;
};

// Parses one JSON document. On failure returns a Status naming the problem
// and, where known, the byte offset; `out` is then unspecified.
Status parse_json(std::string_view text, Value& out, const JsonLimits& limits = {});

// Appends compact JSON (UTF-8 kept as is, control characters escaped).
void append_json(const Value& v, std::string& out);
std::string to_json(const Value& v);
// Appends `s` as a quoted JSON string.
void append_json_string(std::string_view s, std::string& out);

}  // namespace medgate::sdk
