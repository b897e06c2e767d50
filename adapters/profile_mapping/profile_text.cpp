#include "profile_text.h"

namespace medgate::profile_mapping {

std::size_t characters(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string truncated(std::string s, std::size_t max_chars) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
    if (n++ == max_chars) {
      s.resize(i);
      break;
    }
  }
  return s;
}

bool has_cjk(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    if (i + len > s.size()) return false;
    char32_t cp = len == 1 ? b : len == 2 ? b & 0x1F : len == 3 ? b & 0x0F : b & 0x07;
    for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    // CJK radicals .. Yi (Han, kana, bopomofo), Hangul syllables, compatibility ideographs, supplementary Han.
    if ((cp >= 0x2E80 && cp <= 0xA4CF) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
        (cp >= 0x20000 && cp <= 0x3FFFF))
      return true;
    i += len;
  }
  return false;
}

void put_text(sdk::Value& item, const char* member, std::string text, std::size_t max_chars, std::string fallback) {
  if (text.empty()) text = std::move(fallback);
  if (!text.empty()) item[member] = truncated(std::move(text), max_chars);
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (const std::string& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

std::string person_name(const std::string& family, const std::vector<std::string>& given, NameOrder order) {
  std::vector<std::string> parts;
  parts.reserve(given.size() + 1);
  if (order == NameOrder::family_first) parts.push_back(family);
  parts.insert(parts.end(), given.begin(), given.end());
  if (order == NameOrder::given_first) parts.push_back(family);
  bool cjk = has_cjk(family);
  for (const std::string& g : given) cjk = cjk || has_cjk(g);
  if (!cjk) return joined(parts, " ");
  std::string out = family;  // 姓 then 名, whatever the Latin order
  for (const std::string& g : given) out += g;
  return out;
}

std::string postal_address(const AddressParts& a) {
  std::string street = joined(a.lines, "");
  bool cjk = has_cjk(street);
  for (const std::string* part : {&a.city, &a.district, &a.state}) cjk = cjk || has_cjk(*part);
  if (!cjk) {
    std::vector<std::string> parts = a.lines;
    for (const std::string* part : {&a.city, &a.district, &a.state, &a.postal_code, &a.country}) parts.push_back(*part);
    return joined(parts, ", ");
  }
  // The administrative parts the street itself starts with, in order.
  std::string_view rest = street;
  const std::string* admin[] = {&a.state, &a.city, &a.district};
  bool in_street[3] = {};
  for (std::size_t i = 0; i < 3; ++i) {
    if (admin[i]->empty() || !rest.starts_with(*admin[i])) continue;
    in_street[i] = true;
    rest.remove_prefix(admin[i]->size());
  }
  std::string out;
  const std::string* previous = nullptr;
  for (std::size_t i = 0; i < 3; ++i) {
    if (admin[i]->empty()) continue;
    if (!in_street[i] && !(previous && *previous == *admin[i])) out += *admin[i];
    previous = admin[i];
  }
  return out + street;
}

}  // namespace medgate::profile_mapping
