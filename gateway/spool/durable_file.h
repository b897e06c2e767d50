// Small crash-safe file helpers shared by the spool, cursors and logs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "medgate/sdk/status.h"

namespace medgate::spool {

// Creates the directory (and parents) with mode 0700 where it is created.
sdk::Status ensure_dir(const std::string& dir);
// Replaces `path` atomically: write a temp file, fsync it, rename, fsync the directory.
sdk::Status write_file_atomic(const std::string& path, std::string_view content);
// Writes all of `data` to `fd` at offset `at` (pwrite, retried on EINTR and
// short writes); errors name `path`.
sdk::Status pwrite_all(int fd, std::string_view data, std::uint64_t at, const std::string& path);
// Appends to `path` (created 0600) and fdatasyncs before returning.
sdk::Status append_durable(const std::string& path, std::string_view content);
// Writes a file that replaces `path` in one step when committed (a temp file
// beside it, fsynced, renamed over it); without commit() nothing changes.
class ReplacementFile {
 public:
  explicit ReplacementFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {}
  ~ReplacementFile();
  ReplacementFile(const ReplacementFile&) = delete;
  ReplacementFile& operator=(const ReplacementFile&) = delete;
  sdk::Status open();
  sdk::Status append(std::string_view data);
  sdk::Status commit();

 private:
  std::string path_, tmp_;
  int fd_ = -1;
};
// fsyncs a directory so that renames and creations in it survive a crash.
sdk::Status sync_dir(const std::string& dir);
// "open(path): <strerror>" for the current errno.
std::string errno_message(const char* what, const std::string& path);

}  // namespace medgate::spool
