#include "audit/audit_chain.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "crypto/digest.h"
#include "medgate/sdk/json.h"
#include "spool/durable_file.h"

namespace medgate::audit {
namespace fs = std::filesystem;

AuditChain::~AuditChain() {
  if (fd_ >= 0) ::close(fd_);
}

std::string AuditChain::segment_path(std::uint64_t n) const {
  char name[40];
  std::snprintf(name, sizeof name, "audit-%08llu.ndjson", static_cast<unsigned long long>(n));
  return dir_ + "/" + name;
}

sdk::Status AuditChain::open_segment(std::uint64_t n) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(segment_path(n).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) return sdk::Status::Unavailable(spool::errno_message("open", segment_path(n)));
  segment_ = n;
  return spool::sync_dir(dir_);
}

sdk::Status AuditChain::open() {
  if (auto s = spool::ensure_dir(dir_); !s.ok()) return s;
  std::uint64_t last = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    unsigned long long n = 0;
    if (std::sscanf(e.path().filename().c_str(), "audit-%8llu.ndjson", &n) == 1) last = std::max<std::uint64_t>(last, n);
  }
  if (last == 0) return open_segment(1);
  // Restore the chain from the last complete line of the last segment.
  const std::string path = segment_path(last);
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t end = data.rfind('\n');
  end = end == std::string::npos ? 0 : end + 1;
  if (end != data.size() && ::truncate(path.c_str(), static_cast<off_t>(end)) != 0)
    return sdk::Status::Unavailable(spool::errno_message("truncate", path));
  if (end > 0) {
    std::size_t start = data.rfind('\n', end - 2);
    start = start == std::string::npos ? 0 : start + 1;
    sdk::Value v;
    if (auto s = sdk::parse_json(std::string_view(data).substr(start, end - 1 - start), v); !s.ok())
      return sdk::Status::Invalid("audit segment " + path + " ends with an unreadable entry: " + s.message());
    const sdk::Value* seq = v.find("seq");
    const sdk::Value* hash = v.find("hash");
    if (!seq || !seq->is_int() || !hash || !hash->is_string())
      return sdk::Status::Invalid("audit segment " + path + " ends with an entry without seq/hash");
    seq_ = static_cast<std::uint64_t>(seq->as_int());
    last_hash_ = hash->as_string();
  }
  segment_size_ = end;
  return open_segment(last);
}

sdk::Status AuditChain::append(const std::vector<AuditEntry>& entries, const std::string& time) {
  if (entries.empty()) return sdk::Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  std::string buf;
  buf.reserve(entries.size() * 400);
  std::string line, prev = last_hash_;
  std::uint64_t seq = seq_;
  for (const auto& e : entries) {
    line.clear();
    line += "{\"seq\":";
    line += std::to_string(++seq);
    line += ",\"time\":";
    sdk::append_json_string(time, line);
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
    line += "],\"prev\":\"";
    line += prev;
    line += "\"";
    std::string hashed = prev;
    hashed.push_back('\n');
    hashed += line;
    hashed.push_back('}');
    prev = crypto::to_hex(crypto::sha256(hashed));
    line += ",\"hash\":\"";
    line += prev;
    line += "\"}\n";
    buf += line;
  }
  if (segment_size_ >= segment_bytes_) {
    if (auto s = open_segment(segment_ + 1); !s.ok()) return s;
    segment_size_ = 0;
  }
  std::string_view rest = buf;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sdk::Status::Unavailable(spool::errno_message("write", segment_path(segment_)));
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fdatasync(fd_) != 0) return sdk::Status::Unavailable(spool::errno_message("fdatasync", segment_path(segment_)));
  segment_size_ += buf.size();
  seq_ = seq;
  last_hash_ = prev;
  return sdk::Status::Ok();
}

}  // namespace medgate::audit
