#include "config/diagnostics.h"

#include <algorithm>

namespace medgate::config {

void Diagnostics::error(const std::string& file, Mark mark, std::string message) {
  items_.push_back({file, mark, std::move(message)});
}

void Diagnostics::print(std::ostream& out) const {
  std::vector<const Diagnostic*> sorted;
  for (const auto& d : items_) sorted.push_back(&d);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic* a, const Diagnostic* b) {
    if (a->file != b->file) return a->file < b->file;
    if (a->mark.line != b->mark.line) return a->mark.line < b->mark.line;
    return a->mark.column < b->mark.column;
  });
  // A problem with the file as a whole is reported at its first position.
  for (const auto* d : sorted)
    out << d->file << ':' << std::max(d->mark.line, 1) << ':' << std::max(d->mark.column, 1) << ": " << d->message
        << '\n';
}

}  // namespace medgate::config
