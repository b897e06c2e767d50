// How far each inbox file has been ingested, kept in the source's state
// directory. A position is saved only after the lines before it are durable
// in the gateway, so after a crash ingestion resumes exactly there.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "medgate/sdk/status.h"

namespace medgate::file_adapter {

struct FilePosition {
  // Identity of the file the position belongs to: a file replaced under the
  // same name (new inode) or truncated below `offset` is read from the start.
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t offset = 0;  // bytes fully acknowledged: always just after a '\n'
  std::uint64_t lines = 0;   // lines before `offset`, for FILE:LINE in reasons
};

class InboxCursor {
 public:
  // `path` is the store file, e.g. STATE_DIR/inbox-cursor.json.
  explicit InboxCursor(std::string path) : path_(std::move(path)) {}

  // Reads the store; a missing store is empty. A damaged store is an error,
  // not a silent restart from zero (which would ingest everything again).
  sdk::Status load();
  // Writes the store atomically: temp file, fsync, rename, fsync directory.
  sdk::Status save();

  const FilePosition* find(const std::string& name) const;
  void set(const std::string& name, const FilePosition& pos);
  // Drops files no longer in the inbox; true when something was dropped.
  bool retain_only(const std::set<std::string>& names);

  const std::map<std::string, FilePosition>& files() const noexcept { return files_; }
  const std::string& path() const noexcept { return path_; }
  bool dirty() const noexcept { return dirty_; }

 private:
  std::string path_;
  std::map<std::string, FilePosition> files_;
  bool dirty_ = false;
};

}  // namespace medgate::file_adapter
