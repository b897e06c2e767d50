#include "audit/audit_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "audit/audit_format.h"

namespace medgate::audit {
namespace fs = std::filesystem;

sdk::Status list_segments(const std::string& dir, std::vector<SegmentFile>& out) {
  out.clear();
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return sdk::Status::Invalid("cannot read the audit directory " + dir + ": " + ec.message());
  for (const auto& e : it) {
    std::uint64_t n = 0;
    if (parse_segment_file_name(e.path().filename().string(), n)) out.push_back({n, e.path().string()});
  }
  std::sort(out.begin(), out.end(), [](const SegmentFile& a, const SegmentFile& b) { return a.number < b.number; });
  return sdk::Status::Ok();
}

sdk::Status SegmentLines::read(const std::string& path) {
  data_.clear();
  spans_.clear();
  torn_ = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) return sdk::Status::Invalid("cannot open " + path + ": " + std::strerror(errno));
  data_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return sdk::Status::Invalid("cannot read " + path);
  std::size_t start = 0;
  for (std::size_t nl; (nl = data_.find('\n', start)) != std::string::npos; start = nl + 1)
    spans_.emplace_back(start, nl - start);
  torn_ = data_.size() - start;
  return sdk::Status::Ok();
}

sdk::Status read_first_line(const std::string& path, std::string& out) {
  out.clear();
  std::ifstream in(path, std::ios::binary);
  if (!in) return sdk::Status::Invalid("cannot open " + path + ": " + std::strerror(errno));
  std::string line;
  if (std::getline(in, line) && !in.eof()) out = std::move(line);  // eof: no newline, not complete
  return sdk::Status::Ok();
}

sdk::Status read_last_line(const std::string& path, std::string& out) {
  out.clear();
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return sdk::Status::Invalid("cannot open " + path + ": " + std::strerror(errno));
  const std::streamoff size = in.tellg();
  // Read growing tails until one holds the newline before the last complete line.
  for (std::streamoff chunk = 64 * 1024;; chunk *= 4) {
    const std::streamoff from = std::max<std::streamoff>(0, size - chunk);
    std::string tail(static_cast<std::size_t>(size - from), '\0');
    in.seekg(from);
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    if (!in) return sdk::Status::Invalid("cannot read " + path);
    const std::size_t end = tail.rfind('\n');
    if (end == std::string::npos) {
      if (from == 0) return sdk::Status::Ok();  // no complete line
      continue;
    }
    const std::size_t start = end == 0 ? std::string::npos : tail.rfind('\n', end - 1);
    if (start == std::string::npos && from > 0) continue;
    const std::size_t begin = start == std::string::npos ? 0 : start + 1;
    out = tail.substr(begin, end - begin);
    return sdk::Status::Ok();
  }
}

sdk::Status for_each_entry(const std::string& dir,
                           const std::function<bool(const AuditLine&, std::string_view, const EntryPlace&)>& fn,
                           std::size_t& unreadable) {
  unreadable = 0;
  std::vector<SegmentFile> files;
  if (sdk::Status s = list_segments(dir, files); !s.ok()) return s;
  SegmentLines lines;
  AuditLine entry;
  for (const auto& f : files) {
    if (sdk::Status s = lines.read(f.path); !s.ok()) return s;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (!parse_audit_line(lines.line(i), entry).ok()) {
        ++unreadable;
        continue;
      }
      if (!fn(entry, lines.line(i), EntryPlace{&f, i + 1})) return sdk::Status::Ok();
    }
    if (lines.torn_bytes()) ++unreadable;
  }
  return sdk::Status::Ok();
}

}  // namespace medgate::audit
