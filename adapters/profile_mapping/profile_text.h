// UTF-8 text for the source mappers: lengths and cuts in characters (the
// input contract counts characters), and the person names and postal
// addresses they assemble from parts. CJK names and addresses are written
// without separators, others with spaces and commas.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/value.h"

namespace medgate::profile_mapping {

std::size_t characters(std::string_view s);
// At most `max_chars` UTF-8 characters of `s` (never a cut character).
std::string truncated(std::string s, std::size_t max_chars);
// True when `s` has a CJK character (Han, kana, Hangul): such names and
// addresses are written without spaces or commas.
bool has_cjk(std::string_view s);
// `text`, else `fallback`, cut to `max_chars` characters at item[member];
// nothing when both are empty.
void put_text(sdk::Value& item, const char* member, std::string text, std::size_t max_chars, std::string fallback = {});
// The non-empty `parts` with `separator` between them.
std::string joined(const std::vector<std::string>& parts, std::string_view separator);

// How a Latin-script name is ordered: HL7 XPN lists family first
// ("DOE JOHN Q"), FHIR HumanName is written given first ("John Q Doe").
enum class NameOrder { family_first, given_first };

// Family name and given names as one string: "张" + {"测试"} -> "张测试" when
// any part has a CJK character; otherwise the parts spaced in `order`.
std::string person_name(const std::string& family, const std::vector<std::string>& given, NameOrder order);

struct AddressParts {
  std::vector<std::string> lines;  // street, house number, unit: most specific last
  std::string city, district, state, postal_code, country;
};

// CJK: state (province), city, district, then the lines, with no separators;
// an administrative part that the lines already start with, or a city equal
// to its province (北京市), is not repeated; no postal code or country.
// Otherwise "lines, city, district, state, postal code, country".
std::string postal_address(const AddressParts& a);

}  // namespace medgate::profile_mapping
