#include "pipeline/scrub/check_digits.h"

namespace medgate::pipeline::scrub {
namespace {
bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

int two_digits(std::string_view s, std::size_t at) {
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

// Province-level codes of GB/T 2260 (the first two digits of an area code).
bool is_province_code(int p) {
  return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) || (p >= 41 && p <= 46) ||
         (p >= 50 && p <= 54) || (p >= 61 && p <= 65) || p == 71 || p == 81 || p == 82;
}

bool is_valid_date(int year, int month, int day) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int days = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= days;
}
}  // namespace

char resident_id_check_digit(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  int sum = 0;
  for (std::size_t i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

bool is_valid_resident_id(std::string_view id) {
  if (id.size() != 18 || !all_digits(id.substr(0, 17))) return false;
  char last = id[17] == 'x' ? 'X' : id[17];
  return resident_id_check_digit(id.substr(0, 17)) == last;
}

bool is_valid_legacy_resident_id(std::string_view id) {
  if (id.size() != 15 || !all_digits(id)) return false;
  return is_province_code(two_digits(id, 0)) &&
         is_valid_date(1900 + two_digits(id, 6), two_digits(id, 8), two_digits(id, 10));
}

bool passes_luhn(std::string_view digits) {
  if (digits.empty() || !all_digits(digits)) return false;
  int sum = 0;
  bool twice = false;
  for (std::size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

}  // namespace medgate::pipeline::scrub
