#include "seen_messages.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

namespace medgate::his_hl7 {
namespace {
using sdk::Status;

// Writes `s` in hex and a newline at `at`; returns the end.
char* hex_line(std::string_view s, char* at) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    *at++ = kHex[c >> 4];
    *at++ = kHex[c & 15];
  }
  *at++ = '\n';
  return at;
}

bool from_hex(std::string_view hex, std::string& out) {
  if (hex.size() % 2) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

// The whole file; a missing one is empty.
Status read_file(const std::string& path, std::string& out) {
  out.clear();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Unavailable("cannot read " + path + ": " + std::strerror(errno));
  }
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return Status::Unavailable("cannot read " + path);
  return Status::Ok();
}

// The last `count` lines of the first `end` bytes of `path` (which end with
// a newline), or all of them when there are fewer.
Status read_last_lines(const std::string& path, std::size_t end, std::size_t count, std::string& out) {
  out.assign(end, '\0');
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable("cannot read " + path + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < end) {
    ssize_t n = ::pread(fd, out.data() + done, end - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  const int read_errno = errno;
  ::close(fd);
  if (done < end)
    return Status::Unavailable("cannot read " + path + ": " +
                               (done ? "shorter than written" : std::strerror(read_errno)));
  std::size_t from = end, newlines = 0;
  while (from > 0) {
    if (out[from - 1] == '\n' && ++newlines > count) break;
    --from;
  }
  out.erase(0, from);
  return Status::Ok();
}

Status write_all(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable("cannot write " + path + ": " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return Status::Ok();
}
}  // namespace

SeenMessages::~SeenMessages() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  compaction_wanted_.notify_all();
  if (compactor_.joinable()) compactor_.join();
  if (fd_ >= 0) ::close(fd_);
}

Status SeenMessages::open() {
  std::unique_lock lock(mu_);
  seen_.reserve(capacity_ + 1);  // no rehash of a full window under the lock later
  std::string text;
  if (Status st = read_file(path_, text); !st.ok()) return st;
  std::string key;
  std::size_t lines = 0, remembered = 0;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t nl = text.find('\n', at);
    if (nl == std::string::npos) nl = text.size();
    ++lines;
    // A line cut short by a crash (or damaged) is skipped: at worst one
    // resent message is processed again.
    if (from_hex(std::string_view(text).substr(at, nl - at), key) && !key.empty() && remember_locked(key)) ++remembered;
    at = nl + 1;
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return Status::Unavailable("cannot open " + path_ + ": " + std::strerror(errno));
  lines_in_file_ = lines;
  bytes_in_file_ = text.size();
  // A skipped line, a repeated key or a last line without its newline (the
  // next append would run into it): compacted from memory now.
  file_is_history_ = remembered == lines && (text.empty() || text.back() == '\n');
  if (!file_is_history_ || lines_in_file_ > 2 * capacity_)
    if (Status st = compact(lock); !st.ok()) return st;
  compactor_ = std::thread(&SeenMessages::compact_loop, this);
  return Status::Ok();
}

bool SeenMessages::remember_locked(const std::string& key) {
  if (!seen_.insert(key).second) return false;
  order_.push_back(key);
  while (order_.size() > capacity_) {
    seen_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

SeenMessages::Claim SeenMessages::claim(const std::string& key) {
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return !in_flight_.count(key); });
  if (seen_.count(key)) return Claim::already_accepted;
  in_flight_.insert(key);
  return Claim::first;
}

SeenMessages::Claim SeenMessages::try_claim(const std::string& key) {
  std::lock_guard lock(mu_);
  if (in_flight_.count(key)) return Claim::in_flight;
  if (seen_.count(key)) return Claim::already_accepted;
  in_flight_.insert(key);
  return Claim::first;
}

Status SeenMessages::finish(const std::string& key, bool accepted) {
  return finish_all({{key, accepted}});
}

Status SeenMessages::finish_all(const std::vector<Outcome>& outcomes) {
  std::lock_guard lock(mu_);
  std::string lines;
  std::size_t added = 0;
  for (const Outcome& o : outcomes) {
    in_flight_.erase(o.key);
    if (!o.accepted || seen_.count(o.key)) continue;
    remember_locked(o.key);
    const std::size_t end = lines.size();
    lines.resize(end + 2 * o.key.size() + 1);
    hex_line(o.key, lines.data() + end);
    ++added;
  }
  done_.notify_all();
  Status s = added ? append_locked(lines, added) : Status::Ok();
  if (s.ok() && !compaction_failure_.ok()) s = std::exchange(compaction_failure_, Status::Ok());
  return s;
}

Status SeenMessages::append_locked(const std::string& lines, std::size_t count) {
  if (fd_ < 0) return Status::Unavailable("seen-messages file is not open");
  if (Status s = write_all(fd_, lines, path_); !s.ok()) {
    file_is_history_ = false;  // a key remembered but not written, or half a line
    appended_meanwhile_ok_ = false;
    return s;
  }
  lines_in_file_ += count;
  bytes_in_file_ += lines.size();
  if (compacting_) appended_meanwhile_ += lines;
  if (lines_in_file_ > 2 * capacity_ && !compacting_ && !compaction_due_) {
    compaction_due_ = true;
    compaction_wanted_.notify_one();
  }
  return Status::Ok();
}

void SeenMessages::compact_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    compaction_wanted_.wait(lock, [&] { return stopping_ || compaction_due_; });
    if (!compaction_due_) return;  // stopping, nothing due
    compaction_due_ = false;
    if (Status s = compact(lock); !s.ok())
      compaction_failure_ = std::move(s);  // retried on the next append
    else if (lines_in_file_ > 2 * capacity_)
      compaction_due_ = true;  // so much was appended meanwhile that another is due
  }
}

// Writes the remembered keys to a new file, syncs it, adds what was appended
// meanwhile and renames it over the old one. While the file is their
// history (every line a key remembered, in order), the remembered keys are
// its last order_.size() lines, read back outside the lock; otherwise they
// are written out from memory, under it (about 6 ms for 100,000 keys).
Status SeenMessages::compact(std::unique_lock<std::mutex>& lock) {
  const std::size_t kept = order_.size();
  const std::size_t end = bytes_in_file_;
  const bool from_file = file_is_history_;
  std::string all;
  if (!from_file) {
    std::size_t bytes = 0;
    for (const auto& k : order_) bytes += 2 * k.size() + 1;
    all.assign(bytes, '\n');
    char* at = all.data();
    for (const auto& k : order_) at = hex_line(k, at);
  }
  compacting_ = true;
  appended_meanwhile_ok_ = true;
  appended_meanwhile_.clear();
  lock.unlock();

  Status s = from_file ? read_last_lines(path_, end, kept, all) : Status::Ok();
  const std::size_t lines_kept = static_cast<std::size_t>(std::count(all.begin(), all.end(), '\n'));
  const std::string tmp = path_ + ".tmp";
  int fd = -1;
  if (s.ok() && (fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
    s = Status::Unavailable("cannot create " + tmp + ": " + std::strerror(errno));
  if (s.ok()) s = write_all(fd, all, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Status::Unavailable("cannot sync " + tmp + ": " + std::strerror(errno));
  if (s.ok() && compaction_hook_) compaction_hook_();

  lock.lock();
  compacting_ = false;
  if (s.ok()) s = write_all(fd, appended_meanwhile_, tmp);  // not synced, as any append
  if (fd >= 0) ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0)
    s = Status::Unavailable("cannot replace " + path_ + ": " + std::strerror(errno));
  int fresh = -1;
  if (s.ok() && (fresh = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC)) < 0)
    s = Status::Unavailable("cannot reopen " + path_ + ": " + std::strerror(errno));
  int old = -1;
  if (s.ok()) {
    old = std::exchange(fd_, fresh);
    lines_in_file_ =
        lines_kept + static_cast<std::size_t>(std::count(appended_meanwhile_.begin(), appended_meanwhile_.end(), '\n'));
    bytes_in_file_ = all.size() + appended_meanwhile_.size();
    file_is_history_ = appended_meanwhile_ok_;
  } else if (fd >= 0) {
    ::unlink(tmp.c_str());
  }
  appended_meanwhile_.clear();
  if (old >= 0) {
    // The last descriptor of the replaced file: closing it frees its blocks
    // (about 1.5 ms for 9 MB on ext4), so not under the lock.
    lock.unlock();
    ::close(old);
    lock.lock();
  }
  return s;
}

std::size_t SeenMessages::size() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace medgate::his_hl7
