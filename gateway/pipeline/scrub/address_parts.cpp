#include "pipeline/scrub/address_parts.h"

#include <algorithm>

#include "pipeline/scrub/utf8_text.h"

namespace medgate::pipeline::scrub {
namespace {
using namespace std::string_view_literals;

constexpr char32_t kRoadSuffixes[] = {U'路', U'街', U'道', U'巷', U'弄'};  // 大道 ends with 道

bool is_one_of(char32_t c, const char32_t* begin, const char32_t* end) {
  return std::find(begin, end, c) != end;
}

// Byte length of a part suffix starting at `i` (街道, 单元, 大道 or one of
// 区县镇乡路街道巷弄村号栋幢楼室), 0 if none. Runs for every character of
// every address scrubbed against: every suffix is a three-byte character, so
// anything else is ruled out by its first byte.
std::size_t suffix_at(std::string_view s, std::size_t i) {
  const auto lead = static_cast<unsigned char>(s[i]);
  if (lead < 0xE0 || lead > 0xEF) return 0;
  std::size_t len;
  const char32_t c = code_point_at(s, i, len);
  auto next_is = [&](char32_t want) {
    std::size_t len2;
    return i + len < s.size() && code_point_at(s, i + len, len2) == want ? len2 : 0;
  };
  switch (c) {
    case U'街':
      return len + next_is(U'道');
    case U'单':
    case U'大': {
      std::size_t second = next_is(c == U'单' ? U'元' : U'道');
      return second ? len + second : 0;
    }
    case U'区': case U'县': case U'镇': case U'乡': case U'路': case U'道': case U'巷':
    case U'弄': case U'村': case U'号': case U'栋': case U'幢': case U'楼': case U'室':
      return len;
    default:
      return 0;
  }
}

// Bytes taken by the province and the prefecture-level city.
std::size_t region_prefix_length(std::string_view a) {
  for (std::string_view m : {"北京市"sv, "上海市"sv, "天津市"sv, "重庆市"sv, "北京"sv, "上海"sv, "天津"sv, "重庆"sv})
    if (a.substr(0, m.size()) == m) return m.size();
  // The province: up to its 省, 自治区 or 特别行政区, within ten characters.
  std::size_t i = 0, len, province_end = 0;
  char32_t p1 = 0, p2 = 0;  // the previous two characters
  for (int n = 0; n < 10 && i < a.size(); ++n) {
    char32_t c = code_point_at(a, i, len);
    i += len;
    if (c == U'省' || (c == U'区' && ((p2 == U'自' && p1 == U'治') || (p2 == U'行' && p1 == U'政')))) {
      province_end = i;
      break;
    }
    p2 = p1;
    p1 = c;
  }
  // The city: up to its 市, 自治州, 地区 or 盟 within eight characters, unless
  // a part below city level comes first ("某区某市场").
  i = province_end;
  p1 = p2 = 0;
  for (int n = 0; n < 8 && i < a.size(); ++n) {
    char32_t c = code_point_at(a, i, len);
    i += len;
    if (c == U'市' || c == U'盟' || (c == U'州' && p2 == U'自' && p1 == U'治') || (c == U'区' && p1 == U'地')) return i;
    if (c == U'区' || c == U'县' || c == U'镇' || c == U'路' || c == U'街' || c == U'号') break;
    p2 = p1;
    p1 = c;
  }
  return province_end;
}

bool is_house_number(std::string_view part) {
  if (part.size() <= 3 || part.substr(part.size() - 3) != "号") return false;
  std::string_view number = part.substr(0, part.size() - 3);
  for (std::size_t i = 0, len = 0; i < number.size();) {
    if (digit_at(number, i, len) >= 0)
      i += len;
    else if (number[i] == '-')
      ++i;
    else
      return false;
  }
  return true;
}

bool ends_with_road(std::string_view part) {
  std::size_t last = part.size();
  while (last > 0 && is_utf8_continuation(static_cast<unsigned char>(part[last - 1]))) --last;
  if (last == 0) return false;
  std::size_t len;
  return is_one_of(code_point_at(part, last - 1, len), std::begin(kRoadSuffixes), std::end(kRoadSuffixes));
}

std::string_view trim_separators(std::string_view s) {
  while (!s.empty()) {
    std::size_t n = space_at(s, 0), len;
    if (n == 0) {
      char32_t c = code_point_at(s, 0, len);
      if (c == U',' || c == U'-' || c == U'，' || c == U'、') n = len;
    }
    if (n == 0) break;
    s.remove_prefix(n);
  }
  return s;
}

// A view covering two adjacent views.
std::string_view joined(std::string_view a, std::string_view b) {
  return {a.data(), a.size() + b.size()};
}
bool adjacent(std::string_view a, std::string_view b) {
  return a.data() + a.size() == b.data();
}
}  // namespace

bool may_hold_address_part(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i)
    if (address_suffix_end_at(text, i)) return true;
  return false;
}

AddressParts address_parts_below_city(std::string_view address) {
  std::string_view rest = address.substr(region_prefix_length(address));
  AddressParts raw;  // each ends with a suffix
  std::size_t start = 0;
  for (std::size_t i = 0; i < rest.size() && raw.count < AddressParts::kMax;) {
    std::size_t suffix = suffix_at(rest, i);
    if (suffix == 0) {
      i += utf8_char_length(rest, i);
      continue;
    }
    i += suffix;
    std::string_view part = trim_separators(rest.substr(start, i - start));
    start = i;
    if (part.empty()) continue;
    std::string_view& last = raw.parts[raw.count > 0 ? raw.count - 1 : 0];
    if (raw.count > 0 && part.size() == suffix && adjacent(last, part))
      last = joined(last, part);
    else
      raw.parts[raw.count++] = part;
  }
  AddressParts out;
  auto add = [&](std::string_view p) {
    if (out.count < AddressParts::kMax && utf8_char_count(p) >= 2 && std::find(out.begin(), out.end(), p) == out.end())
      out.parts[out.count++] = p;
  };
  for (std::size_t k = 0; k < raw.count; ++k) {
    std::string_view part = raw.parts[k];
    if (k + 1 < raw.count && ends_with_road(part) && is_house_number(raw.parts[k + 1]) &&
        adjacent(part, raw.parts[k + 1])) {
      add(joined(part, raw.parts[k + 1]));  // 某路97号
      add(part);
      ++k;
      continue;
    }
    add(part);
  }
  return out;
}

}  // namespace medgate::pipeline::scrub
