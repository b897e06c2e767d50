#include "file_target.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>

namespace medgate::file_adapter {
namespace {

namespace fs = std::filesystem;
using sdk::Status;

constexpr std::string_view kSuffix = ".ndjson";
constexpr std::string_view kOpenSuffix = ".ndjson.open";

std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable(errno_text("cannot open directory " + dir));
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  return rc == 0 ? Status::Ok() : Status::Unavailable(errno_text("cannot fsync directory " + dir));
}

// The sequence number of one of our files ("PREFIX-STAMP-NNNNNN.ndjson[.open]"), or -1.
std::int64_t sequence_of(std::string_view name, std::string_view prefix) {
  if (!name.starts_with(prefix) || name.size() <= prefix.size() || name[prefix.size()] != '-') return -1;
  if (name.ends_with(kOpenSuffix))
    name.remove_suffix(kOpenSuffix.size());
  else if (name.ends_with(kSuffix))
    name.remove_suffix(kSuffix.size());
  else
    return -1;
  name.remove_prefix(prefix.size() + 1);
  // STAMP is YYYYMMDDTHHMMSSZ (16 characters), then '-', then the sequence.
  if (name.size() < 18 || name[15] != 'Z' || name[16] != '-') return -1;
  std::string_view digits = name.substr(17);
  std::int64_t seq = -1;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  return ec == std::errc() && end == digits.data() + digits.size() ? seq : -1;
}

std::string utc_stamp() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// A file an earlier run left open may end in part of a line (it died in the
// middle of a batch's writes, or the machine lost power before fdatasync):
// cut it back to its last newline and make that durable. `cut` = bytes removed.
Status cut_unfinished_line(const std::string& path, std::uint64_t& cut) {
  cut = 0;
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable(errno_text("cannot open " + path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = Status::Unavailable(errno_text("cannot stat " + path));
    ::close(fd);
    return s;
  }
  off_t end = st.st_size;
  char buf[4096];
  while (end > 0) {
    off_t from = std::max<off_t>(0, end - static_cast<off_t>(sizeof buf));
    ssize_t n = ::pread(fd, buf, static_cast<std::size_t>(end - from), from);
    if (n <= 0) break;
    const void* nl = ::memrchr(buf, '\n', static_cast<std::size_t>(n));
    if (nl) {
      end = from + (static_cast<const char*>(nl) - buf) + 1;
      break;
    }
    end = from;
  }
  Status s = Status::Ok();
  if (end < st.st_size) {
    cut = static_cast<std::uint64_t>(st.st_size - end);
    if (::ftruncate(fd, end) != 0) s = Status::Unavailable(errno_text("cannot truncate " + path));
  }
  if (s.ok() && ::fsync(fd) != 0) s = Status::Unavailable(errno_text("cannot fsync " + path));
  ::close(fd);
  return s;
}

}  // namespace

sdk::OptionList FileTargetOptions::declare() {
  using sdk::OptionType;
  using sdk::Value;
  return {
      {"path", OptionType::path, "output directory (created when missing)", Value(), true},
      {"prefix", OptionType::string, "file name prefix: PREFIX-YYYYMMDDTHHMMSSZ-NNNNNN.ndjson", Value("records"),
       false},
      {"rotate_bytes", OptionType::size, "start a new file once this size is reached", Value(std::int64_t{64} << 20),
       false},
      {"rotate_interval", OptionType::duration, "start a new file once the open one is this old",
       Value(std::int64_t{3600} * 1000), false},
      {"fsync", OptionType::boolean, "fdatasync after every batch (flush() and rotation always sync)", Value(true),
       false},
  };
}

Status FileTargetOptions::validate(const sdk::PluginConfig& c) {
  const std::string& prefix = c.get_string("prefix");
  if (prefix.empty() || prefix.find('/') != std::string::npos || prefix[0] == '.')
    return Status::Invalid("prefix must be a non-empty file name part without '/' and not start with '.'");
  if (c.get_int("rotate_bytes") < 1) return Status::Invalid("rotate_bytes must be at least 1 byte");
  if (c.get_int("rotate_interval") < 1000) return Status::Invalid("rotate_interval must be at least 1s");
  return Status::Ok();
}

FileTargetOptions FileTargetOptions::from(const sdk::PluginConfig& c) {
  FileTargetOptions o;
  o.path = c.get_string("path");
  o.prefix = c.get_string("prefix");
  o.rotate_bytes = static_cast<std::uint64_t>(c.get_int("rotate_bytes"));
  o.rotate_interval = std::chrono::milliseconds(c.get_int("rotate_interval"));
  o.fsync = c.get_bool("fsync");
  return o;
}

FileTarget::FileTarget(FileTargetOptions options, Clock clock)
    : options_(std::move(options)), clock_(std::move(clock)) {}

FileTarget::~FileTarget() {
  if (fd_ >= 0) ::close(fd_);  // stop() completes the file; a destructor alone leaves it `.open`
}

void FileTarget::log(sdk::LogLevel level, const std::string& message) {
  if (ctx_) ctx_->log(level, message);
}

Status FileTarget::start(sdk::TargetContext& ctx) {
  std::lock_guard lock(mutex_);
  ctx_ = &ctx;
  std::error_code ec;
  fs::create_directories(options_.path, ec);
  if (ec) return Status::Unavailable("cannot create output directory " + options_.path + ": " + ec.message());

  std::vector<std::string> leftovers;
  fs::directory_iterator it(options_.path, ec);
  if (ec) return Status::Unavailable("cannot list output directory " + options_.path + ": " + ec.message());
  for (const fs::directory_entry& entry : it) {
    std::string name = entry.path().filename().string();
    std::int64_t seq = sequence_of(name, options_.prefix);
    if (seq < 0) continue;
    next_sequence_ = std::max(next_sequence_, static_cast<std::uint64_t>(seq) + 1);
    if (std::string_view(name).ends_with(kOpenSuffix)) leftovers.push_back(name);
  }
  for (const std::string& name : leftovers) {
    std::string from = options_.path + "/" + name;
    std::string to = from.substr(0, from.size() - (kOpenSuffix.size() - kSuffix.size()));
    if (fs::exists(to, ec)) {
      log(sdk::LogLevel::warning, "leaving " + name + " as is: " + fs::path(to).filename().string() + " exists");
      continue;
    }
    std::uint64_t cut = 0;
    if (Status s = cut_unfinished_line(from, cut); !s.ok()) return s;
    if (::rename(from.c_str(), to.c_str()) != 0) return Status::Unavailable(errno_text("cannot rename " + from));
    log(sdk::LogLevel::info, "completed " + name + " left open by an earlier run");
    if (cut > 0)
      log(sdk::LogLevel::warning, "cut " + std::to_string(cut) + " bytes of an unfinished last line from " + name +
                                      " (the earlier run stopped mid-write); those records were not acknowledged "
                                      "and are delivered again");
  }
  if (!leftovers.empty()) return fsync_dir(options_.path);
  return Status::Ok();
}

Status FileTarget::open_next() {
  std::string stamp = utc_stamp();
  for (int attempt = 0; attempt < 1000; ++attempt) {
    char seq[32];
    std::snprintf(seq, sizeof seq, "%06llu", static_cast<unsigned long long>(next_sequence_++));
    std::string final_path = options_.path + "/" + options_.prefix + "-" + stamp + "-" + seq + std::string(kSuffix);
    std::error_code ec;
    if (fs::exists(final_path, ec)) continue;
    std::string open_path = final_path + ".open";
    int fd = ::open(open_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0 && errno == EEXIST) continue;
    if (fd < 0) return Status::Unavailable(errno_text("cannot create " + open_path));
    fd_ = fd;
    final_path_ = std::move(final_path);
    bytes_ = 0;
    opened_at_ = clock_();
    // Make the new name durable, so a crash leaves a `.open` file that start() completes.
    return fsync_dir(options_.path);
  }
  return Status::Unavailable("no free file name for prefix " + options_.prefix + " in " + options_.path);
}

Status FileTarget::append(const std::string& data) {
  if (fd_ < 0)
    if (Status s = open_next(); !s.ok()) return s;
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = Status::Unavailable(errno_text("cannot write " + final_path_ + ".open"));
      // Cut off the partial batch so the retried lines are not glued to half a line.
      if (::ftruncate(fd_, static_cast<off_t>(bytes_)) != 0) {
        ::close(fd_);  // cannot repair: leave it for start() and use a fresh file
        fd_ = -1;
      }
      return s;
    }
    done += static_cast<std::size_t>(n);
  }
  bytes_ += data.size();
  return Status::Ok();
}

Status FileTarget::close_current() {
  if (fd_ < 0) return Status::Ok();
  std::string open_path = final_path_ + ".open";
  if (::fsync(fd_) != 0) return Status::Unavailable(errno_text("cannot fsync " + open_path));
  ::close(fd_);
  fd_ = -1;
  if (::rename(open_path.c_str(), final_path_.c_str()) != 0)
    return Status::Unavailable(errno_text("cannot rename " + open_path));
  return fsync_dir(options_.path);
}

Status FileTarget::rotate_if_due() {
  if (fd_ >= 0 && clock_() - opened_at_ >= options_.rotate_interval) return close_current();
  return Status::Ok();
}

std::vector<sdk::Outcome> FileTarget::deliver(const std::vector<sdk::Delivery>& batch) {
  std::lock_guard lock(mutex_);
  std::vector<sdk::Outcome> outcomes(batch.size());
  std::size_t durable = 0;  // deliveries before this are in a completed (synced) file
  Status s = rotate_if_due();
  // Lines go out in file-sized pieces so that no file grows past
  // rotate_bytes unless a single line is larger.
  std::string pending;
  for (std::size_t i = 0; s.ok() && i < batch.size(); ++i) {
    const std::string& payload = batch[i].payload;
    if (payload.find('\n') != std::string::npos) {
      // Compact JSON has no raw newline; writing one would split a record in two.
      outcomes[i] = {sdk::Outcome::Kind::rejected, "payload contains a newline"};
      continue;
    }
    std::uint64_t size = (fd_ >= 0 ? bytes_ : 0) + pending.size();
    if (size > 0 && size + payload.size() + 1 > options_.rotate_bytes) {
      if (!pending.empty()) s = append(pending);
      pending.clear();
      if (s.ok()) s = close_current();
      if (!s.ok()) break;
      durable = i;
    }
    pending += payload;
    pending.push_back('\n');
  }
  if (s.ok() && !pending.empty()) s = append(pending);
  if (s.ok() && fd_ >= 0 && options_.fsync && ::fdatasync(fd_) != 0)
    s = Status::Unavailable(errno_text("cannot fdatasync " + final_path_ + ".open"));
  if (s.ok() && fd_ >= 0 && bytes_ >= options_.rotate_bytes) s = close_current();
  if (!s.ok()) {
    log(sdk::LogLevel::warning, s.message());
    for (std::size_t i = durable; i < batch.size(); ++i)
      if (outcomes[i].kind == sdk::Outcome::Kind::delivered) outcomes[i] = {sdk::Outcome::Kind::retry, s.message()};
  }
  return outcomes;
}

Status FileTarget::flush() {
  std::lock_guard lock(mutex_);
  if (Status s = rotate_if_due(); !s.ok()) return s;
  if (fd_ >= 0 && ::fdatasync(fd_) != 0)
    return Status::Unavailable(errno_text("cannot fdatasync " + final_path_ + ".open"));
  return Status::Ok();
}

void FileTarget::stop() {
  std::lock_guard lock(mutex_);
  if (Status s = close_current(); !s.ok()) log(sdk::LogLevel::error, s.message());
}

std::string FileTarget::current_file() const {
  std::lock_guard lock(mutex_);
  return fd_ >= 0 ? final_path_ : std::string();
}

}  // namespace medgate::file_adapter
