#include "audit/audit_chain.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "audit/audit_reader.h"
#include "medgate/sdk/json.h"
#include "spool/durable_file.h"
#include "spool/timestamps.h"

namespace medgate::audit {

AuditChain::AuditChain(AuditChainOptions options, std::shared_ptr<const crypto::Ed25519Key> signing_key)
    : options_(std::move(options)), key_(std::move(signing_key)) {
  if (!key_ || !key_->has_private()) throw std::invalid_argument("AuditChain needs an Ed25519 private key");
}

AuditChain::~AuditChain() {
  (void)close();
  if (fd_ >= 0) ::close(fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

std::uint64_t AuditChain::last_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_;
}

std::uint64_t AuditChain::unsigned_entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return seq_ - last_signed_seq_;
}

// ---- building lines -------------------------------------------------------

AuditChain::Draft AuditChain::draft() const {
  Draft d;
  d.seq = seq_;
  d.prev = last_hash_;
  d.last_signed = last_signed_seq_;
  d.last_type = last_type_;
  d.last_reason = last_reason_;
  return d;
}

std::string AuditChain::begin_line(Draft& d, const char* type, const std::string& time) const {
  std::string line = "{\"seq\":" + std::to_string(++d.seq) + ",\"type\":\"" + type + "\",\"time\":";
  sdk::append_json_string(time, line);
  return line;
}

void AuditChain::seal_line(Draft& d, std::string& line, EntryType type, std::string reason) const {
  line += ",\"prev\":\"";
  line += d.prev;
  line += '"';
  std::string hash = entry_hash(d.prev, line);
  line += ",\"hash\":\"";
  line += hash;
  line += "\"}\n";
  d.buf += line;
  d.prev = std::move(hash);
  d.last_type = type;
  d.last_reason = std::move(reason);
  if (is_signed(type)) d.last_signed = d.seq;
}

void AuditChain::add_checkpoint(Draft& d, const std::string& reason) const {
  const std::string time = spool::utc_now_rfc3339();
  const std::uint64_t first = d.last_signed + 1;
  std::string line = begin_line(d, "checkpoint", time);
  const std::uint64_t last = d.seq - 1;
  const std::string sig = key_->sign_hex(checkpoint_statement(d.seq, time, reason, first, last, d.prev));
  line += ",\"reason\":";
  sdk::append_json_string(reason, line);
  line += ",\"covers\":{\"first_seq\":" + std::to_string(first) + ",\"last_seq\":" + std::to_string(last) + "}";
  line += ",\"key\":\"" + key_->fingerprint() + "\",\"sig\":\"" + sig + "\"";
  seal_line(d, line, EntryType::checkpoint, reason);
}

void AuditChain::add_header(Draft& d, std::uint64_t segment) const {
  std::string line = begin_line(d, "segment", spool::utc_now_rfc3339());
  line += ",\"format\":\"";
  line += kFormat;
  line += "\",\"segment\":" + std::to_string(segment);
  seal_line(d, line, EntryType::segment);
}

// ---- files ----------------------------------------------------------------

sdk::Status AuditChain::commit(Draft& d) {
  if (!failed_.ok()) return failed_;
  const std::string path = segment_path(segment_);
  std::string_view rest = d.buf;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      sdk::Status s = sdk::Status::Unavailable(spool::errno_message("write", path));
      // Never leave half a line for the next entry to follow.
      if (::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0)
        failed_ = sdk::Status::Unavailable(spool::errno_message("ftruncate", path) +
                                           " after a failed write; "
                                           "restart medgated to repair the audit log");
      return s;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fdatasync(fd_) != 0) {
    // After a failed fdatasync the file's contents are unknown: stop writing.
    failed_ = sdk::Status::Unavailable(spool::errno_message("fdatasync", path) + "; restart medgated");
    return failed_;
  }
  segment_size_ += d.buf.size();
  seq_ = d.seq;
  last_hash_ = d.prev;
  last_signed_seq_ = d.last_signed;
  last_type_ = d.last_type;
  last_reason_ = d.last_reason;
  d.buf.clear();
  return sdk::Status::Ok();
}

sdk::Status AuditChain::lock_dir() {
  const std::string path = options_.dir + "/.lock";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return sdk::Status::Unavailable(spool::errno_message("open", path));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return sdk::Status::Unavailable("the audit log " + options_.dir + " is in use by another process (it holds " +
                                    path + ")");
  return sdk::Status::Ok();
}

sdk::Status AuditChain::open_segment(std::uint64_t n, bool fresh) {
  const std::string path = segment_path(n);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return sdk::Status::Unavailable(spool::errno_message("open", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || (fresh && st.st_size != 0)) {
    ::close(fd);
    return sdk::Status::Unavailable("audit segment " + path + " already exists; it is not the next one to write");
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segment_ = n;
  segment_size_ = static_cast<std::uint64_t>(st.st_size);
  return spool::sync_dir(options_.dir);
}

sdk::Status AuditChain::start_segment(std::uint64_t n) {
  if (sdk::Status s = open_segment(n, true); !s.ok()) return s;
  const std::string prev = last_hash_;
  Draft d = draft();
  add_header(d, n);
  if (sdk::Status s = commit(d); !s.ok()) {
    // Nothing may follow in a segment without its header; the next open writes it.
    if (failed_.ok()) failed_ = sdk::Status::Unavailable(s.message() + "; restart medgated");
    return s;
  }
  header_seq_ = seq_;
  header_prev_ = prev;
  return sdk::Status::Ok();
}

sdk::Status AuditChain::roll() {
  Draft d = draft();
  add_checkpoint(d, "rotate");
  if (sdk::Status s = commit(d); !s.ok()) return s;
  return start_segment(segment_ + 1);
}

sdk::Status AuditChain::roll_if_full() {
  return segment_size_ >= options_.segment_bytes ? roll() : sdk::Status::Ok();
}

// The chain state from the last segment's lines.
sdk::Status AuditChain::restore(const std::string& path, std::uint64_t number) {
  SegmentLines lines;
  if (sdk::Status s = lines.read(path); !s.ok()) return sdk::Status::Unavailable(s.message());
  if (lines.torn_bytes()) {
    if (::truncate(path.c_str(), static_cast<off_t>(lines.complete_bytes())) != 0)
      return sdk::Status::Unavailable(spool::errno_message("truncate", path));
    notes_.push_back("cut an incomplete last line (" + std::to_string(lines.torn_bytes()) + " bytes) of " + path +
                     ": an entry being written when medgated stopped, never acknowledged");
  }
  AuditLine entry;
  auto unreadable = [&](std::size_t i, const sdk::Status& s) {
    return sdk::Status::Invalid(
        "audit segment " + path + " line " + std::to_string(i + 1) + " is not an audit entry (" + s.message() +
        "); run `medgatectl audit verify` on it, and move the directory aside to start a new log");
  };
  if (lines.size() == 0) {
    // Created, but its header never made it: write it now.
    if (number > 1) {
      std::string last;
      if (sdk::Status s = read_last_line(segment_path(number - 1), last); !s.ok()) return s;
      if (sdk::Status s = parse_audit_line(last, entry); !s.ok()) return unreadable(0, s);
      seq_ = entry.seq;
      last_hash_ = entry.hash;
      last_signed_seq_ = is_signed(entry.type) ? entry.seq : 0;
    }
    if (sdk::Status s = open_segment(number, true); !s.ok()) return s;
    const std::string prev = last_hash_;
    Draft d = draft();
    add_header(d, number);
    if (sdk::Status s = commit(d); !s.ok()) return s;
    header_seq_ = seq_;
    header_prev_ = prev;
    return sdk::Status::Ok();
  }
  if (sdk::Status s = parse_audit_line(lines.line(0), entry); !s.ok()) return unreadable(0, s);
  if (entry.type != EntryType::segment)
    return sdk::Status::Invalid("audit segment " + path +
                                " does not start with a segment header (written by an older "
                                "medgate?); move the audit directory aside to start a new log");
  header_seq_ = entry.seq;
  header_prev_ = entry.prev;
  const std::size_t last = lines.size() - 1;
  if (sdk::Status s = parse_audit_line(lines.line(last), entry); !s.ok()) return unreadable(last, s);
  seq_ = entry.seq;
  last_hash_ = entry.hash;
  last_type_ = entry.type;
  last_reason_ = entry.type == EntryType::checkpoint ? entry.checkpoint.reason : "";
  // The last signed entry: in this segment, else the checkpoint that rolled the previous one.
  last_signed_seq_ = number > 1 ? header_seq_ - 1 : 0;
  for (std::size_t i = lines.size(); i-- > 1;) {
    if (sdk::Status s = parse_audit_line(lines.line(i), entry); !s.ok()) return unreadable(i, s);
    if (is_signed(entry.type)) {
      last_signed_seq_ = entry.seq;
      break;
    }
  }
  if (sdk::Status s = open_segment(number, false); !s.ok()) return s;
  segment_size_ = lines.complete_bytes();
  return sdk::Status::Ok();
}

sdk::Status AuditChain::open() {
  std::lock_guard<std::mutex> lock(mu_);
  if (sdk::Status s = spool::ensure_dir(options_.dir); !s.ok()) return s;
  if (sdk::Status s = lock_dir(); !s.ok()) return s;
  std::vector<SegmentFile> files;
  if (sdk::Status s = list_segments(options_.dir, files); !s.ok()) return sdk::Status::Unavailable(s.message());
  if (files.empty()) {
    first_segment_ = 1;
    return start_segment(1);
  }
  first_segment_ = files.front().number;
  if (sdk::Status s = restore(files.back().path, files.back().number); !s.ok()) return s;
  if (last_type_ == EntryType::checkpoint && last_reason_ == "rotate") return start_segment(segment_ + 1);
  if (seq_ > last_signed_seq_) {
    Draft d = draft();
    add_checkpoint(d, "recover");
    return commit(d);
  }
  return sdk::Status::Ok();
}

// ---- appending ------------------------------------------------------------

sdk::Status AuditChain::append(const std::vector<AuditEntry>& entries, const std::string& time) {
  if (entries.empty()) return sdk::Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return sdk::Status::Precondition("the audit log is not open");
  if (sdk::Status s = roll_if_full(); !s.ok()) return s;
  Draft d = draft();
  d.buf.reserve(entries.size() * 600);
  std::string line;
  for (const auto& e : entries) {
    line = begin_line(d, "record", time);
    line += ",\"record_id\":";
    sdk::append_json_string(e.record_id, line);
    line += ",\"source\":";
    sdk::append_json_string(e.source, line);
    line += ",\"target\":";
    sdk::append_json_string(e.target, line);
    line += ",\"patient_token\":";
    sdk::append_json_string(e.patient_token, line);
    line += ",\"policy\":";
    sdk::append_json_string(e.policy, line);
    line += ",\"policy_version\":";
    line += std::to_string(e.policy_version);
    line += ",\"fields\":[";
    for (std::size_t i = 0; i < e.actions.size(); ++i) {
      const auto& a = e.actions[i];
      if (i) line.push_back(',');
      line += "{\"path\":";
      sdk::append_json_string(*a.path, line);
      line += ",\"method\":";
      sdk::append_json_string(*a.method, line);
      if (a.key_id) {
        line += ",\"key_id\":";
        sdk::append_json_string(*a.key_id, line);
      }
      if (!a.found.empty()) {
        line += ",\"found\":{";
        for (std::size_t j = 0; j < a.found.size(); ++j) {
          if (j) line.push_back(',');
          sdk::append_json_string(a.found[j].first, line);
          line.push_back(':');
          line += std::to_string(a.found[j].second);
        }
        line.push_back('}');
      }
      line.push_back('}');
    }
    line += "]";
    seal_line(d, line, EntryType::record);
  }
  if (options_.checkpoint_entries && d.seq - d.last_signed >= options_.checkpoint_entries) add_checkpoint(d, "entries");
  return commit(d);
}

sdk::Status AuditChain::append_action(EntryType type, const std::function<void(std::string&)>& members) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return sdk::Status::Precondition("the audit log is not open");
  if (sdk::Status s = roll_if_full(); !s.ok()) return s;
  Draft d = draft();
  std::string line = begin_line(d, entry_type_name(type), spool::utc_now_rfc3339());
  members(line);
  seal_line(d, line, type);
  return commit(d);
}

namespace {
void add_text(std::string& line, const char* name, const std::string& value) {
  line += ",\"";
  line += name;
  line += "\":";
  sdk::append_json_string(value, line);
}
template <typename Integer>
void add_number(std::string& line, const char* name, Integer value) {
  line += ",\"";
  line += name;
  line += "\":" + std::to_string(value);
}
}  // namespace

sdk::Status AuditChain::append_dead_letters(EntryType type, const DeadLetterAudit& a) {
  if (type != EntryType::dlq_replay && type != EntryType::dlq_drop)
    throw std::invalid_argument("append_dead_letters takes dlq_replay or dlq_drop");
  return append_action(type, [&](std::string& line) {
    add_text(line, "target", a.target);
    add_text(line, "selection", a.selection);
    add_number(line, "keys", a.keys);
    add_number(line, "count", a.count);
    add_text(line, "role", a.role);
  });
}

sdk::Status AuditChain::append_quarantine_open(const QuarantineOpenAudit& a) {
  return append_action(EntryType::quarantine_open, [&](std::string& line) {
    add_text(line, "source", a.source);
    add_number(line, "entry", a.entry);
    add_text(line, "entry_time", a.entry_time);
    add_text(line, "role", a.role);
  });
}

sdk::Status AuditChain::append_quarantine_drop(const QuarantineDropAudit& a) {
  return append_action(EntryType::quarantine_drop, [&](std::string& line) {
    add_text(line, "source", a.source);
    add_text(line, "selection", a.selection);
    add_number(line, "count", a.count);
    add_text(line, "role", a.role);
  });
}

sdk::Status AuditChain::append_handle_open(const HandleOpenAudit& a) {
  return append_action(EntryType::handle_open, [&](std::string& line) {
    add_text(line, "target", a.target);
    add_text(line, "record_id", a.record_id);
    add_text(line, "source", a.source);
    add_text(line, "patient_token", a.patient_token);
    add_text(line, "field", a.field);
    add_text(line, "key_id", a.key_id);
  });
}

sdk::Status AuditChain::checkpoint(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0 || seq_ == last_signed_seq_) return sdk::Status::Ok();
  Draft d = draft();
  add_checkpoint(d, reason);
  return commit(d);
}

sdk::Status AuditChain::close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) return sdk::Status::Ok();
  if (last_type_ == EntryType::checkpoint && last_reason_ == "close") return sdk::Status::Ok();
  Draft d = draft();
  add_checkpoint(d, "close");
  return commit(d);
}

// ---- retention ------------------------------------------------------------

sdk::Status AuditChain::segment_last_time(std::uint64_t n, std::chrono::system_clock::time_point& out) {
  if (auto it = last_times_.find(n); it != last_times_.end()) {
    out = it->second;
    return sdk::Status::Ok();
  }
  const std::string path = segment_path(n);
  std::string line;
  AuditLine entry;
  if (sdk::Status s = read_last_line(path, line); !s.ok()) return s;
  if (sdk::Status s = parse_audit_line(line, entry); !s.ok())
    return sdk::Status::Invalid("the last line of " + path + " is not an audit entry: " + s.message());
  if (!spool::parse_rfc3339(entry.time, out))
    return sdk::Status::Invalid("the last entry of " + path + " has no valid time");
  last_times_[n] = out;
  return sdk::Status::Ok();
}

sdk::Status AuditChain::apply_retention(std::chrono::system_clock::time_point now, RetentionResult& removed) {
  removed = {};
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.retention.count() <= 0 || fd_ < 0) return sdk::Status::Ok();
  if (!failed_.ok()) return failed_;
  const auto cutoff = now - options_.retention;
  std::uint64_t through = 0;
  for (std::uint64_t n = first_segment_; n < segment_; ++n) {
    std::chrono::system_clock::time_point t;
    if (sdk::Status s = segment_last_time(n, t); !s.ok()) return s;
    if (t >= cutoff) break;
    through = n;
  }
  if (!through) return sdk::Status::Ok();

  AuditLine first, kept;
  std::string line;
  auto header_of = [&](std::uint64_t n, AuditLine& out) {
    const std::string path = segment_path(n);
    if (sdk::Status s = read_first_line(path, line); !s.ok()) return s;
    if (!parse_audit_line(line, out).ok() || out.type != EntryType::segment)
      return sdk::Status::Invalid("audit segment " + path + " does not start with a segment header");
    return sdk::Status::Ok();
  };
  if (sdk::Status s = header_of(first_segment_, first); !s.ok()) return s;
  RetentionStatement st;
  st.kept_segment = through + 1;
  if (st.kept_segment == segment_) {
    st.kept_seq = header_seq_;
    st.kept_prev = header_prev_;
  } else {
    if (sdk::Status s = header_of(st.kept_segment, kept); !s.ok()) return s;
    st.kept_seq = kept.seq;
    st.kept_prev = kept.prev;
  }
  st.first_segment = first_segment_;
  st.last_segment = through;
  st.first_seq = first.seq;
  st.last_seq = st.kept_seq - 1;

  Draft d = draft();
  st.time = spool::utc_now_rfc3339();
  line = begin_line(d, "retention", st.time);
  st.seq = d.seq;
  st.prev = d.prev;
  const std::string sig = key_->sign_hex(retention_statement(st));
  line += ",\"removed\":{\"first_segment\":" + std::to_string(st.first_segment) +
          ",\"last_segment\":" + std::to_string(st.last_segment) + ",\"first_seq\":" + std::to_string(st.first_seq) +
          ",\"last_seq\":" + std::to_string(st.last_seq) + "}";
  line += ",\"kept\":{\"segment\":" + std::to_string(st.kept_segment) + ",\"seq\":" + std::to_string(st.kept_seq) +
          ",\"prev\":\"" + st.kept_prev + "\"}";
  line += ",\"key\":\"" + key_->fingerprint() + "\",\"sig\":\"" + sig + "\"";
  seal_line(d, line, EntryType::retention);
  if (sdk::Status s = commit(d); !s.ok()) return s;

  // Oldest first, so that an interruption leaves a contiguous log.
  for (std::uint64_t n = first_segment_; n <= through; ++n) {
    const std::string path = segment_path(n);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return sdk::Status::Unavailable(spool::errno_message("unlink", path));
    last_times_.erase(n);
    first_segment_ = n + 1;
  }
  if (sdk::Status s = spool::sync_dir(options_.dir); !s.ok()) return s;
  removed = {st.first_segment, st.last_segment, st.seq};
  return sdk::Status::Ok();
}

}  // namespace medgate::audit
