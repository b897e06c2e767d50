#include "pipeline/scrub/found_spans.h"

#include <algorithm>

namespace medgate::pipeline::scrub {

std::string_view placeholder_type(PiiKind kind) {
  switch (kind) {
    case PiiKind::id:
      return "ID";
    case PiiKind::phone:
      return "PHONE";
    case PiiKind::card:
      return "CARD";
    case PiiKind::email:
      return "EMAIL";
    case PiiKind::name:
      return "NAME";
    case PiiKind::mrn:
      return "MRN";
    case PiiKind::address:
      return "ADDRESS";
  }
  return "PII";
}

bool FoundSpans::claim(std::size_t begin, std::size_t end, PiiKind kind) {
  if (begin >= end) return false;
  auto next = std::lower_bound(spans_.begin(), spans_.end(), begin,
                               [](const FoundSpan& s, std::size_t at) { return s.begin < at; });
  if (next != spans_.end() && next->begin < end) return false;
  if (next != spans_.begin() && std::prev(next)->end > begin) return false;
  spans_.insert(next, FoundSpan{begin, end, kind});
  return true;
}

void FoundSpans::merge_adjacent_addresses() {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < spans_.size(); ++i) {
    if (kept > 0 && spans_[i].kind == PiiKind::address && spans_[kept - 1].kind == PiiKind::address &&
        spans_[kept - 1].end == spans_[i].begin) {
      spans_[kept - 1].end = spans_[i].end;
      continue;
    }
    spans_[kept++] = spans_[i];
  }
  spans_.resize(kept);
}

}  // namespace medgate::pipeline::scrub
