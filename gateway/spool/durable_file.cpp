#include "spool/durable_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace medgate::spool {

std::string errno_message(const char* what, const std::string& path) {
  return std::string(what) + "(" + path + "): " + std::strerror(errno);
}

sdk::Status ensure_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return sdk::Status::Unavailable("cannot create directory " + dir + ": " + ec.message());
  return sdk::Status::Ok();
}

namespace {
sdk::Status write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sdk::Status::Unavailable(errno_message("write", path));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return sdk::Status::Ok();
}
}  // namespace

sdk::Status pwrite_all(int fd, std::string_view data, std::uint64_t at, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return sdk::Status::Unavailable(errno_message("write", path));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
    at += static_cast<std::uint64_t>(n);
  }
  return sdk::Status::Ok();
}

sdk::Status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sdk::Status::Unavailable(errno_message("open", dir));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return sdk::Status::Unavailable(errno_message("fsync", dir));
  return sdk::Status::Ok();
}

sdk::Status write_file_atomic(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return sdk::Status::Unavailable(errno_message("open", tmp));
  sdk::Status s = write_all(fd, content, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = sdk::Status::Unavailable(errno_message("fsync", tmp));
  ::close(fd);
  if (!s.ok()) return s;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return sdk::Status::Unavailable(errno_message("rename", tmp));
  return sync_dir(std::filesystem::path(path).parent_path().string());
}

sdk::Status append_durable(const std::string& path, std::string_view content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return sdk::Status::Unavailable(errno_message("open", path));
  sdk::Status s = write_all(fd, content, path);
  if (s.ok() && ::fdatasync(fd) != 0) s = sdk::Status::Unavailable(errno_message("fdatasync", path));
  ::close(fd);
  return s;
}

ReplacementFile::~ReplacementFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

sdk::Status ReplacementFile::open() {
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) return sdk::Status::Unavailable(errno_message("open", tmp_));
  return sdk::Status::Ok();
}

sdk::Status ReplacementFile::append(std::string_view data) { return write_all(fd_, data, tmp_); }

sdk::Status ReplacementFile::commit() {
  if (::fsync(fd_) != 0) return sdk::Status::Unavailable(errno_message("fsync", tmp_));
  ::close(fd_);
  fd_ = -1;
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    sdk::Status s = sdk::Status::Unavailable(errno_message("rename", tmp_));
    ::unlink(tmp_.c_str());
    return s;
  }
  return sync_dir(std::filesystem::path(path_).parent_path().string());
}

}  // namespace medgate::spool
