// Config problems, each with a position, printed as FILE:LINE:COL: message.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace medgate::config {

struct Mark {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based; 0 = unknown
};

struct Diagnostic {
  std::string file;
  Mark mark;
  std::string message;
};

class Diagnostics {
 public:
  void error(const std::string& file, Mark mark, std::string message);
  bool has_errors() const noexcept { return !items_.empty(); }
  const std::vector<Diagnostic>& items() const noexcept { return items_; }
  // Prints one line per problem, sorted by position: FILE:LINE:COL: message
  void print(std::ostream& out) const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace medgate::config
