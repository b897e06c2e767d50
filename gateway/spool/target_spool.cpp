#include "spool/target_spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <zlib.h>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "spool/durable_file.h"

namespace medgate::spool {
namespace fs = std::filesystem;
namespace {
constexpr std::size_t kHeader = 8;
constexpr std::size_t kBodyHeader = 12;  // key length, partition key length, accepted time
constexpr std::size_t kReadChunk = 1 << 20;
constexpr std::uint32_t kMaxBody = 256u << 20;
// Zeros written ahead of the frames at a time (see target_spool.h); one
// append in this many bytes pays for a journal commit.
constexpr std::uint64_t kZeroAhead = 1u << 20;

// CRC-32 (IEEE, reflected): zlib's computes the same value as boost's
// crc_32_type several times faster (it was ~2.5 % of an MLLP load).
std::uint32_t crc32(const char* data, std::size_t n) {
  return static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n)));
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint16_t get_u16(const char* p) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(p[0]) | (static_cast<unsigned char>(p[1]) << 8));
}

std::size_t body_bytes(const SpoolEntry& e) {
  return kBodyHeader + e.idempotency_key.size() + e.partition_key.size() + e.payload.size();
}

// Parses one frame at `p` (with `avail` bytes). Returns the frame length, 0 if
// incomplete, or -1 when corrupt.
long parse_frame(const char* p, std::size_t avail, SpoolEntry* out) {
  if (avail < kHeader) return 0;
  std::uint32_t len = get_u32(p);
  if (len < kBodyHeader || len > kMaxBody) return -1;
  if (avail < kHeader + len) return 0;
  const char* body = p + kHeader;
  if (crc32(body, len) != get_u32(p + 4)) return -1;
  std::uint16_t klen = get_u16(body), plen = get_u16(body + 2);
  if (kBodyHeader + klen + plen > len) return -1;
  if (out) {
    out->accepted_unix_ms = static_cast<std::int64_t>(get_u64(body + 4));
    const char* rest = body + kBodyHeader;
    out->idempotency_key.assign(rest, klen);
    out->partition_key.assign(rest + klen, plen);
    out->payload.assign(rest + klen + plen, len - kBodyHeader - klen - plen);
  }
  return static_cast<long>(kHeader + len);
}
}  // namespace

bool SpoolBudget::try_reserve(std::uint64_t n) {
  std::uint64_t cur = used_.load();
  do {
    if (cur + n > max_) {
      std::uint64_t r = refused_.load();
      while (r < n && !refused_.compare_exchange_weak(r, n)) {
      }
      return false;
    }
  } while (!used_.compare_exchange_weak(cur, cur + n));
  std::uint64_t r = refused_.load();
  while (r != 0 && r <= n && !refused_.compare_exchange_weak(r, 0)) {
  }
  return true;
}

bool SpoolBudget::refusing() const {
  std::uint64_t r = refused_.load();
  return r > 0 && used_.load() + r > max_;
}

TargetSpool::TargetSpool(std::string dir, std::uint64_t segment_bytes, SpoolBudget& budget)
    : dir_(std::move(dir)), segment_bytes_(segment_bytes), budget_(budget), cursor_file_(dir_ + "/cursor") {}

TargetSpool::~TargetSpool() {
  if (write_fd_ >= 0) ::close(write_fd_);
  if (read_fd_ >= 0) ::close(read_fd_);
}

std::string TargetSpool::segment_path(std::uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu.seg", static_cast<unsigned long long>(seq));
  return dir_ + "/" + name;
}

sdk::Status TargetSpool::recover_tail(std::uint64_t seq, std::uint64_t& valid_end, std::uint64_t& file_end) {
  const std::string path = segment_path(seq);
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t off = 0;
  for (;;) {
    long n = parse_frame(data.data() + off, data.size() - off, nullptr);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  valid_end = off;
  file_end = data.size();
  // Zeros after the frames were written ahead (kept for the next appends);
  // anything else there is a torn append, cut off with the zeros after it.
  if (std::all_of(data.begin() + static_cast<std::ptrdiff_t>(off), data.end(), [](char c) { return c == 0; }))
    return sdk::Status::Ok();
  if (::truncate(path.c_str(), static_cast<off_t>(off)) != 0)
    return sdk::Status::Unavailable(errno_message("truncate", path));
  file_end = off;
  return sdk::Status::Ok();
}

sdk::Status TargetSpool::open_segment_for_append(std::uint64_t seq, bool create) {
  if (write_fd_ >= 0) ::close(write_fd_);
  const std::string path = segment_path(seq);
  write_fd_ = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0), 0600);
  if (write_fd_ < 0) return sdk::Status::Unavailable(errno_message("open", path));
  write_seq_ = seq;
  if (create) return sync_dir(dir_);
  return sdk::Status::Ok();
}

void TargetSpool::zero_ahead(std::uint64_t frames_end) {
  // Never past the size at which the segment rolls: the zeros would be cut off unused.
  const std::uint64_t from = std::max(file_size_, frames_end);
  const std::uint64_t upto = std::min(segment_bytes_, from + kZeroAhead);
  if (frames_end <= file_size_ || from >= upto) return;
  static const std::string zeros(1 << 16, '\0');
  for (std::uint64_t at = from; at < upto;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), upto - at));
    if (!pwrite_all(write_fd_, std::string_view(zeros.data(), n), at, segment_path(write_seq_)).ok()) {
      // No room for them (a full disk): the frames are appended without zeros ahead.
      if (::ftruncate(write_fd_, static_cast<off_t>(file_size_)) != 0) { /* zeros left behind are harmless */ }
      return;
    }
    at += n;
  }
  file_size_ = upto;
}

sdk::Status TargetSpool::cut_to_frames() {
  if (file_size_ == write_size_) return sdk::Status::Ok();
  const std::string path = segment_path(write_seq_);
  if (::ftruncate(write_fd_, static_cast<off_t>(write_size_)) != 0)
    return sdk::Status::Unavailable(errno_message("ftruncate", path));
  file_size_ = write_size_;
  if (::fdatasync(write_fd_) != 0) return sdk::Status::Unavailable(errno_message("fdatasync", path));
  return sdk::Status::Ok();
}

sdk::Status TargetSpool::open() {
  if (sdk::Status s = ensure_dir(dir_); !s.ok()) return s;
  std::vector<std::uint64_t> seqs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".seg") continue;
    std::uint64_t seq = 0;
    auto r = std::from_chars(name.data(), name.data() + name.size() - 4, seq);
    if (r.ec == std::errc() && r.ptr == name.data() + name.size() - 4) seqs.push_back(seq);
  }
  if (ec) return sdk::Status::Unavailable("cannot list spool " + dir_ + ": " + ec.message());
  std::sort(seqs.begin(), seqs.end());

  // Cursor: where delivery resumes.
  bool have_cursor = false;
  if (sdk::Status s = cursor_file_.open(cursor_, have_cursor); !s.ok()) return s;
  if (!have_cursor && !seqs.empty()) cursor_ = {seqs.front(), 0};

  std::uint64_t last_file_end = 0;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    std::uint64_t bytes = 0;
    if (i + 1 == seqs.size()) {
      if (sdk::Status s = recover_tail(seqs[i], bytes, last_file_end); !s.ok()) return s;
    } else {
      bytes = fs::file_size(segment_path(seqs[i]), ec);
    }
    if (seqs[i] < cursor_.segment) {  // consumed before a crash; finish the cleanup
      fs::remove(segment_path(seqs[i]), ec);
      continue;
    }
    segments_.emplace_back(seqs[i], bytes);
    disk_bytes_ += bytes;
    // The budget counts undelivered bytes: what lies after the cursor.
    budget_.add(seqs[i] == cursor_.segment ? bytes - std::min(bytes, cursor_.offset) : bytes);
  }
  if (segments_.empty()) {
    std::uint64_t seq = std::max<std::uint64_t>(cursor_.segment, 1);
    if (sdk::Status s = open_segment_for_append(seq, true); !s.ok()) return s;
    segments_.emplace_back(seq, 0);
    if (cursor_.segment < seq) cursor_ = {seq, 0};
  } else {
    if (sdk::Status s = open_segment_for_append(segments_.back().first, false); !s.ok()) return s;
  }
  write_size_ = segments_.back().second;
  file_size_ = std::max(write_size_, last_file_end);
  durable_ = {segments_.back().first, segments_.back().second};
  read_pos_ = cursor_;
  return sdk::Status::Ok();
}

std::uint64_t TargetSpool::frame_bytes(const std::vector<SpoolEntry>& entries) {
  std::uint64_t n = 0;
  for (const auto& e : entries) n += kHeader + body_bytes(e);
  return n;
}

sdk::Status TargetSpool::append(const std::vector<SpoolEntry>& entries) {
  if (entries.empty()) return sdk::Status::Ok();
  const std::int64_t accepted = std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count();
  std::string buf;
  buf.reserve(frame_bytes(entries));
  for (const auto& e : entries) {
    if (e.idempotency_key.size() > 0xffff || e.partition_key.size() > 0xffff || body_bytes(e) > kMaxBody)
      return sdk::Status::Invalid("spool entry too large");
    std::size_t start = buf.size();
    put_u32(buf, static_cast<std::uint32_t>(body_bytes(e)));
    put_u32(buf, 0);  // CRC, filled below
    put_u16(buf, static_cast<std::uint16_t>(e.idempotency_key.size()));
    put_u16(buf, static_cast<std::uint16_t>(e.partition_key.size()));
    put_u64(buf, static_cast<std::uint64_t>(accepted));
    buf += e.idempotency_key;
    buf += e.partition_key;
    buf += e.payload;
    std::uint32_t crc = crc32(buf.data() + start + kHeader, buf.size() - start - kHeader);
    for (int i = 0; i < 4; ++i) buf[start + 4 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
  }

  std::lock_guard<std::mutex> lock(write_mu_);
  if (write_size_ >= segment_bytes_) {
    if (sdk::Status s = cut_to_frames(); !s.ok()) return s;
    std::uint64_t next = write_seq_ + 1;
    if (sdk::Status s = open_segment_for_append(next, true); !s.ok()) return s;
    write_size_ = 0;
    file_size_ = 0;
    std::lock_guard<std::mutex> state(state_mu_);
    segments_.emplace_back(next, 0);
  }
  zero_ahead(write_size_ + buf.size());
  sdk::Status s = pwrite_all(write_fd_, buf, write_size_, segment_path(write_seq_));
  if (s.ok() && ::fdatasync(write_fd_) != 0)
    s = sdk::Status::Unavailable(errno_message("fdatasync", segment_path(write_seq_)));
  file_size_ = std::max(file_size_, write_size_ + buf.size());
  if (!s.ok()) {
    // Cut off what was written so that no frame of the failed batch is read
    // or recovered later; the next append starts again at the frames' end.
    if (!cut_to_frames().ok()) { /* a later open cuts a torn tail too */ }
    return s;
  }
  write_size_ += buf.size();
  disk_bytes_ += buf.size();
  {
    std::lock_guard<std::mutex> state(state_mu_);
    segments_.back().second = write_size_;
    durable_ = {write_seq_, write_size_};
  }
  data_cv_.notify_all();
  return sdk::Status::Ok();
}

sdk::Status TargetSpool::read(std::size_t max, std::vector<ReadEntry>& out) {
  while (out.size() < max) {
    Position durable;
    std::uint64_t next_seq = 0;
    {
      std::lock_guard<std::mutex> state(state_mu_);
      durable = durable_;
      for (const auto& [seq, bytes] : segments_)
        if (seq > read_pos_.segment) {
          next_seq = seq;
          break;
        }
    }
    if (read_pos_ >= durable) return sdk::Status::Ok();
    // End of this segment's readable bytes: all of it unless it is the one being written.
    std::uint64_t limit = read_pos_.segment == durable.segment ? durable.offset : ~0ull;
    if (read_fd_ < 0 || read_fd_seq_ != read_pos_.segment) {
      if (read_fd_ >= 0) ::close(read_fd_);
      read_fd_ = ::open(segment_path(read_pos_.segment).c_str(), O_RDONLY | O_CLOEXEC);
      if (read_fd_ < 0) return sdk::Status::Unavailable(errno_message("open", segment_path(read_pos_.segment)));
      read_fd_seq_ = read_pos_.segment;
    }
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kReadChunk, limit - read_pos_.offset));
    read_buf_.resize(want);
    ssize_t got = ::pread(read_fd_, read_buf_.data(), want, static_cast<off_t>(read_pos_.offset));
    if (got < 0) return sdk::Status::Unavailable(errno_message("pread", segment_path(read_pos_.segment)));
    if (got == 0) {  // end of a finished segment
      if (next_seq == 0) return sdk::Status::Ok();
      read_pos_ = {next_seq, 0};
      continue;
    }
    std::size_t off = 0;
    while (out.size() < max) {
      SpoolEntry e;
      long n = parse_frame(read_buf_.data() + off, static_cast<std::size_t>(got) - off, &e);
      if (n < 0)
        return sdk::Status::Internal("spool segment " + segment_path(read_pos_.segment) + " is corrupt at offset " +
                                     std::to_string(read_pos_.offset + off));
      if (n == 0) break;
      off += static_cast<std::size_t>(n);
      out.push_back({std::move(e), {read_pos_.segment, read_pos_.offset + off}});
    }
    if (off == 0) {
      // A frame larger than one chunk: read exactly that frame.
      if (static_cast<std::size_t>(got) < kHeader) return sdk::Status::Ok();
      std::size_t frame = kHeader + get_u32(read_buf_.data());
      if (frame > kHeader + kMaxBody)
        return sdk::Status::Internal("spool segment " + segment_path(read_pos_.segment) + " has a corrupt frame length");
      read_buf_.resize(frame);
      if (::pread(read_fd_, read_buf_.data(), frame, static_cast<off_t>(read_pos_.offset)) != static_cast<ssize_t>(frame))
        return sdk::Status::Ok();  // not fully durable yet
      SpoolEntry e;
      if (parse_frame(read_buf_.data(), frame, &e) <= 0)
        return sdk::Status::Internal("spool segment " + segment_path(read_pos_.segment) + " is corrupt");
      off = frame;
      out.push_back({std::move(e), {read_pos_.segment, read_pos_.offset + off}});
    }
    read_pos_.offset += off;
  }
  return sdk::Status::Ok();
}

bool TargetSpool::wait_for_data(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> state(state_mu_);
  data_cv_.wait_for(state, wait, [&] { return woken_ || read_pos_ < durable_; });
  bool woken = woken_;
  woken_ = false;
  return !woken && read_pos_ < durable_;
}

void TargetSpool::wake() {
  {
    std::lock_guard<std::mutex> state(state_mu_);
    woken_ = true;
  }
  data_cv_.notify_all();
}

sdk::Status TargetSpool::acknowledge(Position p) {
  if (p <= cursor_) return sdk::Status::Ok();
  if (sdk::Status s = cursor_file_.store(p); !s.ok()) return s;
  // Release the budget for the bytes between the old and the new cursor.
  std::uint64_t consumed = 0;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> done;
  {
    std::lock_guard<std::mutex> state(state_mu_);
    for (const auto& [seq, bytes] : segments_) {
      if (seq < cursor_.segment || seq > p.segment) continue;
      std::uint64_t from = seq == cursor_.segment ? cursor_.offset : 0;
      std::uint64_t to = seq == p.segment ? p.offset : bytes;
      consumed += to > from ? to - from : 0;
    }
    // Segments entirely before the cursor are consumed.
    while (segments_.size() > 1 && segments_.front().first < p.segment) {
      done.push_back(segments_.front());
      segments_.pop_front();
    }
  }
  cursor_ = p;
  budget_.release(consumed);
  for (const auto& [seq, bytes] : done) {
    std::error_code ec;
    fs::remove(segment_path(seq), ec);
    disk_bytes_ -= bytes;
  }
  return sdk::Status::Ok();
}

}  // namespace medgate::spool
