// The parts of a mainland Chinese address below city level, to be found one
// by one in free text (people write "住某路97号" or "1930室", rarely the whole
// address).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace medgate::pipeline::scrub {

// Skips the province (…省, …自治区, …特别行政区, or a municipality 北京市/
// 上海市/天津市/重庆市) and the prefecture-level city (…市, …自治州, …地区,
// …盟), then cuts the rest after each of the suffixes 区 县 镇 乡 街道 路 街
// 大道 道 巷 弄 村 号 栋 幢 楼 单元 室. Gives each part of two or more
// characters, e.g. "四川省成都市某区某路97号1930室" -> 某区, 某路97号, 某路,
// 1930室: a house number stays with its road (97号 alone is too common), a
// lone suffix joins the part before it (3号楼). Text after the last suffix is
// not a part. The parts are views into `address`; beyond kMax parts (no real
// address has that many) the rest is not split.
struct AddressParts {
  static constexpr std::size_t kMax = 24;
  std::array<std::string_view, kMax> parts;
  std::size_t count = 0;
  const std::string_view* begin() const { return parts.data(); }
  const std::string_view* end() const { return parts.data() + count; }
};
AddressParts address_parts_below_city(std::string_view address);

// False when `text` cannot hold any part address_parts_below_city gives, of
// any address: every part ends with a suffix character (区 县 镇 乡 路 街 道
// 巷 弄 村 号 栋 幢 楼 室, or 元 of 单元), and `text` holds none of them (byte
// for byte, so a broken text is judged safely too).
bool may_hold_address_part(std::string_view text);
// Whether the bytes at `i` are one of those suffix characters (the test
// above, one position at a time, for a caller already going over the text).
// Runs for every CJK character of every text scrubbed: the last two bytes
// rule out almost every other character with one bit test.
inline bool address_suffix_end_at(std::string_view text, std::size_t i) {
  static constexpr char32_t kLastCharacters[] = {U'区', U'县', U'镇', U'乡', U'路', U'街', U'道', U'巷',
                                                 U'弄', U'村', U'号', U'栋', U'幢', U'楼', U'室', U'元'};
  // The same characters by the low six bits of their second and third bytes.
  static constexpr auto kLowBits = [] {
    std::array<std::uint64_t, 64> bits{};
    for (char32_t c : kLastCharacters) bits[(c >> 6) & 0x3F] |= std::uint64_t{1} << (c & 0x3F);
    return bits;
  }();
  if (i + 3 > text.size()) return false;
  const auto b0 = static_cast<unsigned char>(text[i]), b1 = static_cast<unsigned char>(text[i + 1]),
             b2 = static_cast<unsigned char>(text[i + 2]);
  if ((b0 & 0xF0) != 0xE0 || !((kLowBits[b1 & 0x3F] >> (b2 & 0x3F)) & 1)) return false;
  if ((b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) return false;
  const char32_t c = char32_t{b0 & 0x0Fu} << 12 | char32_t{b1 & 0x3Fu} << 6 | char32_t{b2 & 0x3Fu};
  for (char32_t last : kLastCharacters)
    if (c == last) return true;
  return false;
}

}  // namespace medgate::pipeline::scrub
