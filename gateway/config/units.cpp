#include "config/units.h"

#include <cctype>
#include <cmath>
#include <string>

namespace medgate::config {
namespace {
struct Quantity {
  double number = 0;
  std::string unit;
};

// "<digits>[.<digits>] [unit]"; nullopt when the shape is wrong.
std::optional<Quantity> split(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::size_t start = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == start) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    std::size_t frac = ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == frac) return std::nullopt;
  }
  Quantity q;
  q.number = std::stod(std::string(text.substr(start, i - start)));
  while (i < text.size() && text[i] == ' ') ++i;
  std::size_t end = text.size();
  while (end > i && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  q.unit = std::string(text.substr(i, end - i));
  for (char c : q.unit)
    if (!std::isalpha(static_cast<unsigned char>(c))) return std::nullopt;
  return q;
}
}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  auto q = split(text);
  if (!q) return std::nullopt;
  std::string u;
  for (char c : q->unit) u.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  double mult = 0;
  if (u.empty() || u == "b") mult = 1;
  else if (u == "k" || u == "kb" || u == "kib") mult = 1024.0;
  else if (u == "m" || u == "mb" || u == "mib") mult = 1024.0 * 1024;
  else if (u == "g" || u == "gb" || u == "gib") mult = 1024.0 * 1024 * 1024;
  else if (u == "t" || u == "tb" || u == "tib") mult = 1024.0 * 1024 * 1024 * 1024;
  else return std::nullopt;
  double bytes = std::floor(q->number * mult);
  if (bytes > 9.0e18) return std::nullopt;
  return static_cast<std::uint64_t>(bytes);
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  auto q = split(text);
  if (!q) return std::nullopt;
  double mult = 0;
  if (q->unit.empty() || q->unit == "ms") mult = 1;
  else if (q->unit == "s") mult = 1000;
  else if (q->unit == "m") mult = 60'000;
  else if (q->unit == "h") mult = 3'600'000;
  else if (q->unit == "d") mult = 86'400'000;
  else return std::nullopt;
  double ms = std::round(q->number * mult);
  if (ms > 9.0e15) return std::nullopt;
  return static_cast<std::int64_t>(ms);
}

}  // namespace medgate::config
