#include "pipeline/text_scrubber.h"

#include <algorithm>

namespace medgate::pipeline {
namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }

void add_known(std::vector<std::pair<std::string, std::string>>& known, const sdk::Value* subject, const char* key,
               const char* type, std::size_t min_len) {
  if (!subject) return;
  const sdk::Value* v = subject->find(key);
  if (v && v->is_string() && v->as_string().size() >= min_len) known.emplace_back(v->as_string(), type);
}
}  // namespace

char resident_id_check_digit(std::string_view first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[static_cast<std::size_t>(i)] - '0') * kWeights[i];
  return kCheck[sum % 11];
}

bool is_valid_resident_id(std::string_view id) {
  if (id.size() != 18) return false;
  for (std::size_t i = 0; i < 17; ++i)
    if (!is_digit(id[i])) return false;
  char last = id[17] == 'x' ? 'X' : id[17];
  return resident_id_check_digit(id.substr(0, 17)) == last;
}

TextScrubber::TextScrubber(const sdk::Value* subject) {
  add_known(known_, subject, "resident_id", "ID", 15);
  add_known(known_, subject, "phone", "PHONE", 7);
  add_known(known_, subject, "mrn", "MRN", 4);
  // A one-character name would match too much ordinary text; names have >= 2 characters (6 bytes in UTF-8).
  add_known(known_, subject, "name", "NAME", 6);
  std::stable_sort(known_.begin(), known_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

std::string TextScrubber::scrub(std::string_view text, ScrubCounts& counts) const {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // The record's own identifiers, longest first.
    bool replaced = false;
    for (const auto& [value, type] : known_) {
      if (text.compare(i, value.size(), value) == 0) {
        out += "[" + type + "]";
        ++counts.found[type];
        i += value.size();
        replaced = true;
        break;
      }
    }
    if (replaced) continue;
    // A run of digits (with a trailing X/x for resident IDs) not glued to other digits.
    if (is_digit(text[i]) && (i == 0 || !is_digit(text[i - 1]))) {
      std::size_t j = i;
      while (j < text.size() && is_digit(text[j])) ++j;
      std::size_t run = j - i;
      std::size_t with_x = (run == 17 && j < text.size() && (text[j] == 'X' || text[j] == 'x')) ? 18 : run;
      std::string_view digits = text.substr(i, with_x);
      if (with_x == 18 && is_valid_resident_id(digits)) {
        out += "[ID]";
        ++counts.found["ID"];
        i += 18;
        continue;
      }
      if (run == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9') {
        out += "[PHONE]";
        ++counts.found["PHONE"];
        i = j;
        continue;
      }
      out.append(text.substr(i, run));
      i = j;
      continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

}  // namespace medgate::pipeline
