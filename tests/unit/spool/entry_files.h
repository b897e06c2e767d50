// Test helpers for the NDJSON entry files of the quarantine and the
// dead-letter queue: rewrite a file with some entries backdated; a
// BeforeRemoval that agrees to everything, and one that records what it was
// asked and what the file held at that moment.
#pragma once

#include <cstddef>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "spool/entry_retention.h"

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

// Lets every removal go ahead (the gateway writes the audit entry here).
inline const BeforeRemoval allow = [](const std::string&, std::size_t) { return sdk::Status::Ok(); };

// Records each question (name, count) with the lines `file_of(name)` held
// when it was asked, and answers `answer`.
struct RecordingGate {
  sdk::Status answer = sdk::Status::Ok();
  std::vector<std::pair<std::string, std::size_t>> asked;
  std::vector<std::vector<std::string>> lines_then;

  template <typename FileOf>
  BeforeRemoval gate(FileOf file_of) {
    return [this, file_of](const std::string& name, std::size_t count) {
      asked.emplace_back(name, count);
      lines_then.push_back(read_lines(file_of(name)));
      return answer;
    };
  }
};

}  // namespace medgate::spool::testing_files
