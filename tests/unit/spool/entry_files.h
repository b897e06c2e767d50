// Test helpers for the NDJSON entry files of the quarantine and the
// dead-letter queue: rewrite a file with some entries backdated.
#pragma once

#include <fstream>
#include <string>
#include <vector>

namespace medgate::spool::testing_files {

inline std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Lines of `path`, with the "time" of the first `n` set to `when`.
inline std::vector<std::string> backdate(const std::string& path, std::size_t n, const std::string& when) {
  std::vector<std::string> lines = read_lines(path);
  for (std::size_t i = 0; i < n && i < lines.size(); ++i) {
    auto at = lines[i].find("\"time\":\"") + 8;
    lines[i].replace(at, lines[i].find('"', at) - at, when);
  }
  return lines;
}

inline void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
}

}  // namespace medgate::spool::testing_files
