// What the scrubber's detectors found in one text: byte ranges, each with the
// kind of personal data it holds. Ranges never overlap; the first detector to
// claim a byte keeps it, so detectors run in priority order.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace medgate::pipeline::scrub {

enum class PiiKind : unsigned char { id, phone, card, email, name, mrn, address };

// The placeholder's type, as written in the text ("[ID]") and counted in the
// audit log.
std::string_view placeholder_type(PiiKind kind);

struct FoundSpan {
  std::size_t begin;
  std::size_t end;
  PiiKind kind;
};

class FoundSpans {
 public:
  // False (and nothing claimed) when [begin, end) overlaps a span already found.
  bool claim(std::size_t begin, std::size_t end, PiiKind kind);
  bool empty() const { return spans_.empty(); }
  const std::vector<FoundSpan>& spans() const { return spans_; }  // sorted by begin

  // Adjacent address parts ("某路97号" then "1930室") become one span: one
  // placeholder and one count per address mention.
  void merge_adjacent_addresses();

 private:
  std::vector<FoundSpan> spans_;
};

}  // namespace medgate::pipeline::scrub
