#include "profile_datetime.h"

#include <array>

namespace medgate::profile_mapping {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int two_digits(std::string_view s, std::size_t i) {
  return (s[i] - '0') * 10 + (s[i + 1] - '0');
}

int days_in_month(int year, int month) {
  constexpr std::array<int, 13> kDays = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  return month == 2 && leap ? 29 : kDays[month];
}

void append_two(int n, std::string& out) {
  out += static_cast<char>('0' + n / 10);
  out += static_cast<char>('0' + n % 10);
}

}  // namespace

const char* date_time_range_problem(const DateTimeParts& t) {
  if (t.month < 1 || t.month > 12) return "month must be 01-12";
  if (t.day < 1 || t.day > days_in_month(t.year, t.month)) return "day out of range for its month";
  if (t.hour < 0 || t.hour > 23) return "hour must be 00-23";
  if (t.minute < 0 || t.minute > 59) return "minute must be 00-59";
  if (t.second < 0 || t.second > 59) return "second must be 00-59";
  return nullptr;
}

std::string to_date(const DateTimeParts& t) {
  std::string s;
  append_two(t.year / 100, s);
  append_two(t.year % 100, s);
  s += '-';
  append_two(t.month, s);
  s += '-';
  append_two(t.day, s);
  return s;
}

std::string to_rfc3339(const DateTimeParts& t, std::string_view default_offset) {
  std::string s = to_date(t);
  s += 'T';
  append_two(t.hour, s);
  s += ':';
  append_two(t.minute, s);
  s += ':';
  append_two(t.second, s);
  if (!t.fraction.empty()) s += '.' + t.fraction;
  s += t.offset.empty() ? default_offset : std::string_view(t.offset);
  return s;
}

bool is_rfc3339_offset(std::string_view o) noexcept {
  if (o == "Z") return true;
  return o.size() == 6 && (o[0] == '+' || o[0] == '-') && is_digit(o[1]) && is_digit(o[2]) && o[3] == ':' &&
         is_digit(o[4]) && is_digit(o[5]) && two_digits(o, 1) <= 23 && two_digits(o, 4) <= 59;
}

}  // namespace medgate::profile_mapping
