#include "pipeline/scrub/phone_numbers.h"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <string>

namespace medgate::pipeline::scrub {
namespace {
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// The singleton, with a logger that drops every message: libphonenumber logs
// the text it failed to parse, and that text is personal data.
const PhoneNumberUtil& phone_util() {
  static const PhoneNumberUtil& util = []() -> const PhoneNumberUtil& {
    PhoneNumberUtil* u = PhoneNumberUtil::GetInstance();
    u->SetLogger(new i18n::phonenumbers::NullLogger());  // takes ownership
    return *u;
  }();
  return util;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool has_other_country_code(bool plus, std::string_view digits) {
  if (plus) return !starts_with(digits, "86") && digits.size() >= 7 && digits.size() <= 15;
  return starts_with(digits, "00") && !starts_with(digits, "0086") && digits.size() >= 9 && digits.size() <= 17;
}
}  // namespace

std::string_view china_national_number(bool plus, std::string_view d) {
  std::string_view nsn;
  if (plus || starts_with(d, "0086")) {
    if (plus && !starts_with(d, "86")) return {};
    nsn = d.substr(plus ? 2 : 4);
    if (starts_with(nsn, "0")) nsn.remove_prefix(1);  // +86 (0)10 ...: the trunk prefix written anyway
  } else if (starts_with(d, "00")) {
    return {};
  } else if (starts_with(d, "0")) {
    nsn = d.substr(1);
  } else if (starts_with(d, "86") && (d.size() == 12 || d.size() == 13)) {
    nsn = d.substr(2);
  } else if (starts_with(d, "1") && d.size() == 11) {
    nsn = d;
  } else {
    return {};
  }
  // Chinese national numbers have 7 to 12 digits and never start with 0.
  if (nsn.size() < 7 || nsn.size() > 12 || nsn[0] == '0') return {};
  return nsn;
}

bool is_valid_phone_number(bool plus, std::string_view digits) {
  std::string_view nsn = china_national_number(plus, digits);
  if (nsn.empty()) {
    if (!has_other_country_code(plus, digits)) return false;
    return parses_as_valid_phone_number((plus ? "+" : "") + std::string(digits));
  }
  std::uint64_t national = 0;
  std::from_chars(nsn.data(), nsn.data() + nsn.size(), national);
  // IsValidNumber costs about 4 us (a dozen regular expressions); the same
  // numbers (a ward's line, a family member's mobile) recur in many messages,
  // so each thread remembers its last decisions. National numbers never start
  // with 0, so 0 marks an empty slot.
  struct Decision {
    std::uint64_t national = 0;
    bool valid = false;
  };
  thread_local std::array<Decision, 64> recent;
  Decision& slot = recent[(national * 0x9E3779B97F4A7C15ull) >> 58];
  if (slot.national == national) return slot.valid;
  PhoneNumber number;
  number.set_country_code(86);
  number.set_national_number(national);
  const PhoneNumberUtil& util = phone_util();
  slot = Decision{national, util.IsPossibleNumber(number) && util.IsValidNumber(number)};
  return slot.valid;
}

bool is_possible_prefixed_phone_number(bool plus, std::string_view digits) {
  // Fail closed: written with a trunk 0 or a +86/0086 prefix, a number of a
  // possible length for China is a phone number even where libphonenumber's
  // metadata knows no such range (e.g. 021-8004 2568): nobody writes an order
  // number that way, and a missed phone number is a leak.
  std::string_view nsn = china_national_number(plus, digits);
  if (nsn.empty() || nsn.size() == digits.size()) return false;  // a bare 11-digit mobile must be valid
  PhoneNumber number;
  number.set_country_code(86);
  std::uint64_t national = 0;
  std::from_chars(nsn.data(), nsn.data() + nsn.size(), national);
  number.set_national_number(national);
  return phone_util().IsPossibleNumber(number);
}

bool parses_as_valid_phone_number(std::string_view written) {
  const PhoneNumberUtil& util = phone_util();
  PhoneNumber number;
  if (util.Parse(std::string(written), "CN", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  return util.IsValidNumber(number);
}

}  // namespace medgate::pipeline::scrub
