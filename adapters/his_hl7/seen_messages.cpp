#include "seen_messages.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace medgate::his_hl7 {
namespace {
using sdk::Status;

std::string to_hex(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
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
  if (fd_ >= 0) ::close(fd_);
}

Status SeenMessages::open() {
  std::lock_guard lock(mu_);
  std::ifstream in(path_);
  std::string line, key;
  std::size_t lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    // A line cut short by a crash (or damaged) is skipped: at worst one
    // resent message is processed again.
    if (from_hex(line, key) && !key.empty()) remember_locked(key);
  }
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return Status::Unavailable("cannot open " + path_ + ": " + std::strerror(errno));
  lines_in_file_ = lines;
  if (lines_in_file_ > 2 * capacity_) return rewrite_locked();
  return Status::Ok();
}

void SeenMessages::remember_locked(const std::string& key) {
  if (!seen_.insert(key).second) return;
  order_.push_back(key);
  while (order_.size() > capacity_) {
    seen_.erase(order_.front());
    order_.pop_front();
  }
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

Status SeenMessages::finish(const std::string& key, bool accepted) { return finish_all({{key, accepted}}); }

Status SeenMessages::finish_all(const std::vector<Outcome>& outcomes) {
  std::lock_guard lock(mu_);
  std::string lines;
  std::size_t added = 0;
  for (const Outcome& o : outcomes) {
    in_flight_.erase(o.key);
    if (!o.accepted || seen_.count(o.key)) continue;
    remember_locked(o.key);
    lines += to_hex(o.key);
    lines += '\n';
    ++added;
  }
  done_.notify_all();
  return added ? append_locked(lines, added) : Status::Ok();
}

Status SeenMessages::append_locked(const std::string& lines, std::size_t count) {
  if (fd_ < 0) return Status::Unavailable("seen-messages file is not open");
  if (Status s = write_all(fd_, lines, path_); !s.ok()) return s;
  lines_in_file_ += count;
  if (lines_in_file_ > 2 * capacity_) return rewrite_locked();
  return Status::Ok();
}

// Writes the remembered keys to a new file and renames it over the old one.
Status SeenMessages::rewrite_locked() {
  const std::string tmp = path_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + tmp + ": " + std::strerror(errno));
  std::string all;
  for (const auto& k : order_) all += to_hex(k) + "\n";
  Status s = write_all(fd, all, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = Status::Unavailable("cannot sync " + tmp + ": " + std::strerror(errno));
  ::close(fd);
  if (s.ok() && ::rename(tmp.c_str(), path_.c_str()) != 0)
    s = Status::Unavailable("cannot replace " + path_ + ": " + std::strerror(errno));
  if (!s.ok()) return s;
  int fresh = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fresh < 0) return Status::Unavailable("cannot reopen " + path_ + ": " + std::strerror(errno));
  ::close(fd_);
  fd_ = fresh;
  lines_in_file_ = order_.size();
  return Status::Ok();
}

std::size_t SeenMessages::size() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace medgate::his_hl7
