#include "fhir_datetime.h"

#include <cstdint>
#include <ctime>
#include <optional>

namespace medgate::emr_fhir {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// `count` digits at `at` as a number, or -1 when they are not all there.
int digits(std::string_view s, std::size_t at, std::size_t count) {
  if (at + count > s.size()) return -1;
  int n = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!is_digit(s[i])) return -1;
    n = n * 10 + (s[i] - '0');
  }
  return n;
}

const char* form_of(FhirTimeType type) {
  switch (type) {
    case FhirTimeType::date:
      return "expected a FHIR date: YYYY, YYYY-MM or YYYY-MM-DD";
    case FhirTimeType::date_time:
      return "expected a FHIR dateTime: YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.s][Z|+hh:mm|-hh:mm]";
    case FhirTimeType::instant:
      return "expected a FHIR instant: YYYY-MM-DDThh:mm:ss[.s](Z|+hh:mm|-hh:mm)";
  }
  return "";
}

// The time and offset after 'T' at `at`.
bool parse_time(std::string_view s, std::size_t at, profile_mapping::DateTimeParts& out) {
  out.hour = digits(s, at, 2);
  out.minute = digits(s, at + 3, 2);
  out.second = digits(s, at + 6, 2);
  if (out.hour < 0 || out.minute < 0 || out.second < 0 || s[at + 2] != ':' || s[at + 5] != ':') return false;
  std::size_t i = at + 8;
  if (i < s.size() && s[i] == '.') {
    std::size_t first = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == first) return false;
    out.fraction = std::string(s.substr(first, i - first));
  }
  if (i == s.size()) return true;
  if (s.substr(i) == "Z") {
    out.offset = "Z";
    return true;
  }
  if (s.size() - i != 6 || (s[i] != '+' && s[i] != '-') || s[i + 3] != ':' || digits(s, i + 1, 2) < 0 ||
      digits(s, i + 4, 2) < 0)
    return false;
  out.offset = std::string(s.substr(i));
  return true;
}

}  // namespace

bool parse_fhir_datetime(std::string_view s, FhirTimeType type, profile_mapping::DateTimeParts& out,
                         std::string& problem) {
  out = {};
  problem.clear();
  out.year = digits(s, 0, 4);
  bool ok = out.year >= 0;
  out.date_digits = 4;
  if (ok && s.size() > 4) {
    out.month = digits(s, 5, 2);
    ok = s[4] == '-' && out.month >= 0;
    out.date_digits = 6;
  }
  if (ok && s.size() > 7) {
    out.day = digits(s, 8, 2);
    ok = s[7] == '-' && out.day >= 0;
    out.date_digits = 8;
  }
  bool has_time = ok && s.size() > 10;
  if (has_time) ok = type != FhirTimeType::date && s[10] == 'T' && s.size() >= 19 && parse_time(s, 11, out);
  if (ok && type == FhirTimeType::instant) ok = has_time;
  if (!ok) {
    problem = form_of(type);
    return false;
  }
  if (out.year == 0) {
    problem = "year must be 0001-9999";
    return false;
  }
  if (const char* range = profile_mapping::date_time_range_problem(out)) {
    problem = range;
    return false;
  }
  if (!out.offset.empty() && !profile_mapping::is_rfc3339_offset(out.offset)) {
    problem = "offset out of range (-23:59..+23:59)";
    return false;
  }
  return true;
}

namespace {
// A moment in UTC: whole seconds since 1970, and the fraction's digits
// without trailing zeros (so that comparing them as text compares values).
struct Moment {
  std::int64_t seconds = 0;
  std::string fraction;
};

std::optional<Moment> moment_of(std::string_view text, std::string_view default_offset) {
  profile_mapping::DateTimeParts t;
  std::string problem;
  if (!parse_fhir_datetime(text, FhirTimeType::instant, t, problem)) return std::nullopt;
  std::string_view offset = t.offset.empty() ? default_offset : std::string_view(t.offset);
  if (!profile_mapping::is_rfc3339_offset(offset)) return std::nullopt;
  std::int64_t offset_seconds = 0;
  if (offset != "Z")
    offset_seconds = (offset[0] == '-' ? -1 : 1) * (digits(offset, 1, 2) * 3600 + digits(offset, 4, 2) * 60);
  std::tm tm{};
  tm.tm_year = t.year - 1900;
  tm.tm_mon = t.month - 1;
  tm.tm_mday = t.day;
  tm.tm_hour = t.hour;
  tm.tm_min = t.minute;
  tm.tm_sec = t.second;
  Moment m{static_cast<std::int64_t>(::timegm(&tm)) - offset_seconds, std::move(t.fraction)};
  while (!m.fraction.empty() && m.fraction.back() == '0') m.fraction.pop_back();
  return m;
}

int sign(int n) { return (n > 0) - (n < 0); }
}  // namespace

int compare_instants(std::string_view a, std::string_view b, std::string_view default_offset) {
  std::optional<Moment> x = moment_of(a, default_offset), y = moment_of(b, default_offset);
  if (!x || !y) return sign(a.compare(b));
  if (x->seconds != y->seconds) return x->seconds < y->seconds ? -1 : 1;
  return sign(x->fraction.compare(y->fraction));
}

}  // namespace medgate::emr_fhir
