#include "spool/entry_retention.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "medgate/sdk/json.h"
#include "spool/durable_file.h"
#include "spool/timestamps.h"

namespace medgate::spool {
namespace {

// The time an entry line was written; false for an unreadable line.
bool entry_time(const std::string& line, std::chrono::system_clock::time_point& t) {
  sdk::Value v;
  return sdk::parse_json(line, v).ok() && v.is_object() && parse_rfc3339(v.string_or("time", ""), t);
}

// How many leading lines of `path` are older than `cutoff` (unreadable lines
// among them count with them), and the lines after them. Reading stops at the
// first entry that is kept.
std::size_t old_lines(const std::string& path, std::chrono::system_clock::time_point cutoff, std::string& rest) {
  std::ifstream in(path);
  std::size_t drop = 0, unreadable = 0;
  std::string pending, line;  // unreadable lines since the last old entry: dropped only if an old one follows
  while (std::getline(in, line)) {
    std::chrono::system_clock::time_point t;
    if (!entry_time(line, t)) {
      ++unreadable;
      pending += line + "\n";
      continue;
    }
    if (t >= cutoff) {
      pending += line + "\n";
      break;
    }
    drop += unreadable + 1;
    unreadable = 0;
    pending.clear();
  }
  if (drop == 0) return 0;
  rest = std::move(pending);
  rest.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return drop;
}

}  // namespace

sdk::Status remove_entries_older_than(const std::string& dir, std::chrono::system_clock::time_point cutoff,
                                      const BeforeRemoval& before,
                                      std::vector<std::pair<std::string, std::size_t>>& removed) {
  removed.clear();
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".ndjson" && e.is_regular_file(ec)) files.push_back(e.path());
  if (ec) return sdk::Status::Unavailable("cannot list " + dir + ": " + ec.message());
  for (const auto& path : files) {
    std::string rest;
    const std::size_t drop = old_lines(path.string(), cutoff, rest);
    if (drop == 0) continue;
    if (sdk::Status s = before(path.stem().string(), drop); !s.ok()) return s;
    if (sdk::Status s = write_file_atomic(path.string(), rest); !s.ok()) return s;
    removed.emplace_back(path.stem().string(), drop);
  }
  return sdk::Status::Ok();
}

}  // namespace medgate::spool
