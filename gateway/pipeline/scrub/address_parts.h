// The parts of a mainland Chinese address below city level, to be found one
// by one in free text (people write "住某路97号" or "1930室", rarely the whole
// address).
#pragma once

#include <array>
#include <cstddef>
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

}  // namespace medgate::pipeline::scrub
