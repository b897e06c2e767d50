// Human-friendly sizes and durations used in the config: "64MiB", "512k",
// "1.5G" (binary multiples: k = KiB = 1024) or plain bytes; "250ms", "5s",
// "2m", "1h" or plain milliseconds.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace medgate::config {

std::optional<std::uint64_t> parse_size(std::string_view text);
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

}  // namespace medgate::config
