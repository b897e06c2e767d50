// Reading the audit log's files: which segments a directory holds, the
// complete lines of a segment (and a torn last one), and the entries of a
// whole directory in order. No judgement about the chain: see audit_verifier.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_line.h"
#include "medgate/sdk/status.h"

namespace medgate::audit {

struct SegmentFile {
  std::uint64_t number = 0;
  std::string path;
};

// The segment files (audit-NNNNNNNN.ndjson) of `dir` in number order; other
// files are ignored.
sdk::Status list_segments(const std::string& dir, std::vector<SegmentFile>& out);

// A segment file's complete lines (newline-terminated, newline not included),
// numbered from 1, and the size of a last line without a newline.
class SegmentLines {
 public:
  sdk::Status read(const std::string& path);
  std::size_t size() const noexcept { return spans_.size(); }
  std::string_view line(std::size_t i) const {
    return std::string_view(data_).substr(spans_[i].first, spans_[i].second);
  }
  std::size_t torn_bytes() const noexcept { return torn_; }
  std::size_t complete_bytes() const noexcept { return data_.size() - torn_; }

 private:
  std::string data_;
  std::vector<std::pair<std::size_t, std::size_t>> spans_;  // offset, length
  std::size_t torn_ = 0;
};

// The first and the last complete line of a file (empty when it has none),
// without reading all of it.
sdk::Status read_first_line(const std::string& path, std::string& out);
sdk::Status read_last_line(const std::string& path, std::string& out);

// Where an entry was read.
struct EntryPlace {
  const SegmentFile* file = nullptr;
  std::size_t line = 0;  // from 1
};

// Calls `fn` for each entry of each segment of `dir`, in order; lines that do
// not parse are counted in `unreadable` and skipped. `fn` returns false to stop.
sdk::Status for_each_entry(const std::string& dir,
                           const std::function<bool(const AuditLine&, std::string_view text, const EntryPlace&)>& fn,
                           std::size_t& unreadable);

}  // namespace medgate::audit
