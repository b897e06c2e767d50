#include "runtime/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>

namespace medgate::runtime {
namespace {
std::atomic<int> min_level{static_cast<int>(sdk::LogLevel::info)};
std::mutex out_mu;

const char* level_name(sdk::LogLevel l) {
  switch (l) {
    case sdk::LogLevel::debug: return "debug";
    case sdk::LogLevel::info: return "info";
    case sdk::LogLevel::warning: return "warning";
    case sdk::LogLevel::error: return "error";
  }
  return "info";
}
}  // namespace

void set_min_log_level(sdk::LogLevel level) { min_level = static_cast<int>(level); }

void log(sdk::LogLevel level, std::string_view component, std::string_view message) {
  if (static_cast<int>(level) < min_level) return;
  std::string line = level_name(level);
  line += ' ';
  line += component;
  line += ": ";
  // One event per line: newlines in messages would forge log lines.
  for (char c : message) line.push_back(c == '\n' || c == '\r' ? ' ' : c);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(out_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace medgate::runtime
