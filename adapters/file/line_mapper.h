// One NDJSON line -> one profile-shaped record. A plain function with no I/O,
// so the file source, the fuzzer and benchmarks share exactly one mapping.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "medgate/sdk/value.h"

namespace medgate::file_adapter {

// How lines are read: `profile` passes objects through, `flat` maps the
// gen_records.py shape, `detect` decides per line (config value "auto").
enum class Format { detect, profile, flat };

std::optional<Format> parse_format(std::string_view name);

struct MapResult {
  enum class Kind { record, blank, error };
  Kind kind = Kind::blank;
  sdk::Value record;   // for Kind::record
  std::string reason;  // for Kind::error; names fields and limits, never values

  bool ok() const noexcept { return kind == Kind::record; }
};

// `line` excludes the newline; a trailing '\r' is ignored. Whitespace-only
// lines are Kind::blank.
MapResult map_line(std::string_view line, Format format, std::size_t max_line_bytes);

// The flat mapping on its own, for input that is already parsed.
MapResult map_flat(sdk::Value flat);

}  // namespace medgate::file_adapter
