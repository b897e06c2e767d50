#include "inbox_cursor.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "medgate/sdk/json.h"
#include "medgate/sdk/value.h"

namespace medgate::file_adapter {
namespace {

using sdk::Status;
using sdk::Value;

constexpr std::int64_t kStoreVersion = 1;

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

Status write_all(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable(errno_text("cannot write", path));
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}

Status fsync_dir(const std::string& file_path) {
  std::string::size_type slash = file_path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : file_path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable(errno_text("cannot open directory", dir));
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  return rc == 0 ? Status::Ok() : Status::Unavailable(errno_text("cannot fsync directory", dir));
}

bool read_u64(const Value& entry, std::string_view key, std::uint64_t& out) {
  const Value* v = entry.find(key);
  if (!v || !v->is_int() || v->as_int() < 0) return false;
  out = static_cast<std::uint64_t>(v->as_int());
  return true;
}

}  // namespace

Status InboxCursor::load() {
  files_.clear();
  dirty_ = false;
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Unavailable(errno_text("cannot open cursor store", path_));
  }
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Status::Unavailable(errno_text("cannot read cursor store", path_));
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  Value doc;
  auto damaged = [&](const std::string& why) {
    return Status::Precondition("cursor store " + path_ + " is damaged (" + why +
                                "); fix or remove it (removing re-ingests every inbox file)");
  };
  if (Status s = sdk::parse_json(text, doc); !s.ok()) return damaged(s.message());
  const Value* version = doc.find("version");
  if (!version || !version->is_int() || version->as_int() != kStoreVersion) return damaged("unknown version");
  const Value* files = doc.find("files");
  if (!files || !files->is_array()) return damaged("no files array");
  for (const Value& entry : files->as_array()) {
    const Value* name = entry.find("name");
    FilePosition pos;
    if (!name || !name->is_string() || !read_u64(entry, "device", pos.device) || !read_u64(entry, "inode", pos.inode) ||
        !read_u64(entry, "offset", pos.offset) || !read_u64(entry, "lines", pos.lines))
      return damaged("bad file entry");
    files_[name->as_string()] = pos;
  }
  return Status::Ok();
}

Status InboxCursor::save() {
  Value doc = Value::object();
  doc["version"] = kStoreVersion;
  Value files = Value::array();
  for (const auto& [name, pos] : files_) {
    Value e = Value::object();
    e["name"] = name;
    e["device"] = static_cast<std::int64_t>(pos.device);
    e["inode"] = static_cast<std::int64_t>(pos.inode);
    e["offset"] = static_cast<std::int64_t>(pos.offset);
    e["lines"] = static_cast<std::int64_t>(pos.lines);
    files.push_back(std::move(e));
  }
  doc["files"] = std::move(files);
  std::string text = sdk::to_json(doc);
  text.push_back('\n');

  std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable(errno_text("cannot create", tmp));
  Status s = write_all(fd, text, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Status::Unavailable(errno_text("cannot fsync", tmp));
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0)
    s = Status::Unavailable(errno_text("cannot rename to", path_));
  if (s.ok()) s = fsync_dir(path_);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  dirty_ = false;
  return s;
}

const FilePosition* InboxCursor::find(const std::string& name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

void InboxCursor::set(const std::string& name, const FilePosition& pos) {
  auto [it, inserted] = files_.try_emplace(name, pos);
  FilePosition& p = it->second;
  if (!inserted && p.device == pos.device && p.inode == pos.inode && p.offset == pos.offset && p.lines == pos.lines)
    return;
  p = pos;
  dirty_ = true;
}

bool InboxCursor::retain_only(const std::set<std::string>& names) {
  bool dropped = false;
  for (auto it = files_.begin(); it != files_.end();) {
    if (names.count(it->first)) {
      ++it;
    } else {
      it = files_.erase(it);
      dropped = true;
    }
  }
  dirty_ = dirty_ || dropped;
  return dropped;
}

}  // namespace medgate::file_adapter
