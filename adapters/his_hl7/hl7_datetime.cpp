#include "hl7_datetime.h"

#include <array>

namespace medgate::his_hl7 {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int number(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
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

bool parse_hl7_datetime(std::string_view text, Hl7DateTime& out, std::string& problem) {
  constexpr const char* kForm = "expected YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]";
  out = {};
  std::size_t n = 0;
  while (n < text.size() && is_digit(text[n])) ++n;
  if (n != 4 && n != 6 && n != 8 && n != 10 && n != 12 && n != 14) {
    problem = kForm;
    return false;
  }
  std::string_view rest = text.substr(n);
  if (!rest.empty() && rest[0] == '.') {
    std::size_t f = 1;
    while (f < rest.size() && is_digit(rest[f])) ++f;
    if (n != 14 || f == 1) {
      problem = "a fraction of a second needs all of YYYYMMDDHHMMSS and at least one digit";
      return false;
    }
    out.fraction = std::string(rest.substr(1, f - 1));
    rest.remove_prefix(f);
  }
  if (!rest.empty()) {
    if (rest.size() != 5 || (rest[0] != '+' && rest[0] != '-') || !is_digit(rest[1]) || !is_digit(rest[2]) ||
        !is_digit(rest[3]) || !is_digit(rest[4])) {
      problem = kForm;
      return false;
    }
    if (number(rest.substr(1, 2)) > 23 || number(rest.substr(3, 2)) > 59) {
      problem = "offset out of range (-2359..+2359)";
      return false;
    }
    out.offset = std::string(rest.substr(0, 3)) + ":" + std::string(rest.substr(3, 2));
  }
  out.date_digits = n < 8 ? n : 8;
  out.year = number(text.substr(0, 4));
  if (n >= 6) out.month = number(text.substr(4, 2));
  if (n >= 8) out.day = number(text.substr(6, 2));
  if (n >= 10) out.hour = number(text.substr(8, 2));
  if (n >= 12) out.minute = number(text.substr(10, 2));
  if (n >= 14) out.second = number(text.substr(12, 2));
  if (out.month < 1 || out.month > 12)
    problem = "month must be 01-12";
  else if (out.day < 1 || out.day > days_in_month(out.year, out.month))
    problem = "day out of range for its month";
  else if (out.hour > 23)
    problem = "hour must be 00-23";
  else if (out.minute > 59)
    problem = "minute must be 00-59";
  else if (out.second > 59)
    problem = "second must be 00-59";
  return problem.empty();
}

std::string to_date(const Hl7DateTime& t) {
  std::string s;
  append_two(t.year / 100, s);
  append_two(t.year % 100, s);
  s += '-';
  append_two(t.month, s);
  s += '-';
  append_two(t.day, s);
  return s;
}

std::string to_rfc3339(const Hl7DateTime& t, std::string_view default_offset) {
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
         is_digit(o[4]) && is_digit(o[5]) && number(o.substr(1, 2)) <= 23 && number(o.substr(4, 2)) <= 59;
}

}  // namespace medgate::his_hl7
