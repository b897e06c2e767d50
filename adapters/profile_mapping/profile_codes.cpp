#include "profile_codes.h"

namespace medgate::profile_mapping {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}
bool is_alnum(char c) {
  return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}

}  // namespace

std::optional<std::string> icd10_code(std::string code) {
  constexpr std::string_view kDagger = "\xE2\x80\xA0";
  while (!code.empty() && (code.back() == '+' || code.back() == '*' || code.ends_with(kDagger)))
    code.resize(code.back() == '+' || code.back() == '*' ? code.size() - 1 : code.size() - kDagger.size());
  if (code.size() < 3 || !is_upper(code[0]) || !is_digit(code[1]) || !is_digit(code[2])) return std::nullopt;
  // Not code.insert(3, "."): GCC 12 warns about it here (-Wrestrict, a false positive).
  if (code.size() > 3 && code[3] != '.') code = code.substr(0, 3) + "." + code.substr(3);
  if (code.size() == 4 || code.size() > 14) return std::nullopt;
  for (std::size_t i = 4; i < code.size(); ++i)
    if (!is_alnum(code[i])) return std::nullopt;
  return code;
}

const char* interpretation(std::string_view flag) {
  if (flag == "N") return "normal";
  if (flag == "H") return "high";
  if (flag == "L") return "low";
  if (flag == "HH") return "critical_high";
  if (flag == "LL") return "critical_low";
  if (flag == "A" || flag == "AA") return "abnormal";
  return nullptr;
}

}  // namespace medgate::profile_mapping
