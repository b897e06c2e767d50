#include "hl7_datetime.h"

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
  if (const char* range = profile_mapping::date_time_range_problem(out)) problem = range;
  return problem.empty();
}

}  // namespace medgate::his_hl7
