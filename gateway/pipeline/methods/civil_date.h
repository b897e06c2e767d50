// Calendar dates at the start of ISO 8601 / RFC 3339 strings
// ("YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ss..."), for generalize and date_shift.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace medgate::pipeline::methods {

// The date the text starts with, when it is a real calendar date (2026-02-30 is not).
std::optional<std::chrono::year_month_day> leading_date(std::string_view text);

// The text with its leading date moved by `days` (time of day and offset kept).
// Precondition: leading_date(text) has a value.
std::string shift_leading_date(std::string_view text, int days);

// Whole years from `birth` to `at`.
int age_on(std::chrono::year_month_day birth, std::chrono::year_month_day at);

}  // namespace medgate::pipeline::methods
