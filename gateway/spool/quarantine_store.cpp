#include "spool/quarantine_store.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <stdexcept>

#include "medgate/sdk/json.h"
#include "spool/durable_file.h"
#include "spool/entry_retention.h"
#include "spool/timestamps.h"

namespace medgate::spool {
namespace {
constexpr int kNonce = 12, kTag = 16;
struct CipherDeleter {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter>;

std::string base64(const std::string& bin) {
  std::string out(4 * ((bin.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bin.data()), static_cast<int>(bin.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool unbase64(std::string_view b64, std::string& bin) {
  if (b64.size() % 4 != 0) return false;
  bin.assign(3 * b64.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bin.data()),
                          reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return false;
  std::size_t pad = (!b64.empty() && b64.back() == '=') + (b64.size() > 1 && b64[b64.size() - 2] == '=');
  bin.resize(static_cast<std::size_t>(n) - pad);
  return true;
}

// The lines of `path` (none when it does not exist); `torn` says whether the
// last one lacks its newline (a write cut short by a crash).
std::vector<std::string> read_lines(const std::string& path, bool& torn) {
  std::ifstream in(path, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  torn = !content.empty() && content.back() != '\n';
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < content.size();) {
    std::size_t end = content.find('\n', at);
    if (end == std::string::npos) end = content.size();
    lines.emplace_back(content, at, end - at);
    at = end + 1;
  }
  return lines;
}

std::vector<std::string> read_lines(const std::string& path) {
  bool torn = false;
  return read_lines(path, torn);
}

// The number a stored entry carries, 0 when it has none.
std::uint64_t stored_number(const sdk::Value& v) {
  const sdk::Value* n = v.is_object() ? v.find("entry") : nullptr;
  return n && n->is_int() && n->as_int() > 0 ? static_cast<std::uint64_t>(n->as_int()) : 0;
}

// Each line with its number: the stored one, or the one after the line before.
std::vector<QuarantineEntry> number_lines(const std::vector<std::string>& lines) {
  std::vector<QuarantineEntry> out;
  out.reserve(lines.size());
  std::uint64_t previous = 0;
  for (const auto& line : lines) {
    QuarantineEntry e;
    if (!sdk::parse_json(line, e.value).ok() || !e.value.is_object()) e.value = sdk::Value();
    const std::uint64_t n = stored_number(e.value);
    e.entry = n ? n : previous + 1;
    previous = e.entry;
    out.push_back(std::move(e));
  }
  return out;
}

std::uint64_t highest(const std::vector<QuarantineEntry>& entries) {
  std::uint64_t n = 0;
  for (const auto& e : entries) n = std::max(n, e.entry);
  return n;
}

// `n` kept in a SOURCE.last-entry file; 0 when there is none or it is unreadable.
std::uint64_t read_last_entry(const std::string& path) {
  std::ifstream in(path);
  std::uint64_t n = 0;
  return in >> n ? n : 0;
}
}  // namespace

QuarantineStore::QuarantineStore(std::string dir, std::string secret) : dir_(std::move(dir)) {
  static constexpr char kLabel[] = "medgate quarantine v1";
  unsigned char out[32];
  std::size_t len = 0;
  if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                 reinterpret_cast<const unsigned char*>(kLabel), sizeof kLabel - 1, out, sizeof out, &len))
    throw std::runtime_error("OpenSSL: cannot derive the quarantine key");
  key_.assign(reinterpret_cast<char*>(out), len);
}

sdk::Status QuarantineStore::open() {
  if (sdk::Status s = ensure_dir(dir_); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec))
    if (e.is_regular_file(ec)) files.push_back(e.path());
  if (ec) return sdk::Status::Unavailable("cannot list " + dir_ + ": " + ec.message());
  for (const auto& path : files) {
    const std::string source = path.stem().string();
    if (path.extension() == ".last-entry") {
      last_[source] = std::max(last_[source], read_last_entry(path.string()));
    } else if (path.extension() == ".ndjson") {
      if (sdk::Status s = number_file(source); !s.ok()) return s;
    }
  }
  return sdk::Status::Ok();
}

sdk::Status QuarantineStore::number_file(const std::string& source) {
  const std::string path = file_for(source);
  bool rewrite = false;
  const std::vector<std::string> lines = read_lines(path, rewrite);  // a torn last line gets its newline
  const std::vector<QuarantineEntry> numbered = number_lines(lines);
  std::string content;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const sdk::Value& v = numbered[i].value;
    if (!v.is_object() || stored_number(v)) {
      content += lines[i] + "\n";
      continue;
    }
    sdk::Value with_number = sdk::Value::object();
    with_number["entry"] = static_cast<std::int64_t>(numbered[i].entry);
    for (const auto& [key, member] : v.as_object())
      if (key != "entry") with_number[key] = member;
    content += sdk::to_json(with_number) + "\n";
    rewrite = true;
  }
  if (rewrite)
    if (sdk::Status s = write_file_atomic(path, content); !s.ok()) return s;
  last_[source] = std::max(last_[source], highest(numbered));
  return sdk::Status::Ok();
}

sdk::Status QuarantineStore::keep_last_entry(const std::string& source) {
  return write_file_atomic(last_entry_file(source), std::to_string(last_[source]) + "\n");
}

std::vector<QuarantineEntry> QuarantineStore::entries(const std::string& source) const {
  std::lock_guard<std::mutex> lock(mu_);
  return number_lines(read_lines(file_for(source)));
}

sdk::Status QuarantineStore::add(const std::string& source, std::string_view raw, std::string_view reason) {
  std::string sealed(kNonce + raw.size() + kTag, '\0');
  auto* buf = reinterpret_cast<unsigned char*>(sealed.data());
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (RAND_bytes(buf, kNonce) != 1 || !ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                         buf) != 1 ||
      EVP_EncryptUpdate(ctx.get(), buf + kNonce, &len, reinterpret_cast<const unsigned char*>(raw.data()),
                        static_cast<int>(raw.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), buf + kNonce + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, buf + kNonce + raw.size()) != 1)
    return sdk::Status::Internal("cannot encrypt a quarantine entry");
  std::lock_guard<std::mutex> lock(mu_);
  sdk::Value v = sdk::Value::object();
  v["entry"] = static_cast<std::int64_t>(++last_[source]);  // a failed append leaves a gap, never a repeat
  v["time"] = utc_now_rfc3339();
  v["source"] = source;
  v["reason"] = std::string(reason);
  v["bytes"] = static_cast<std::int64_t>(raw.size());
  v["sealed"] = base64(sealed);
  std::string line = sdk::to_json(v);
  line.push_back('\n');
  return append_durable(file_for(source), line);
}

sdk::Status QuarantineStore::remove_older_than(std::chrono::system_clock::time_point cutoff,
                                               const BeforeRemoval& before,
                                               std::vector<std::pair<std::string, std::size_t>>& removed) {
  std::lock_guard<std::mutex> lock(mu_);
  // The numbers given out are kept on disk before a file may empty (see remove_entries).
  return remove_entries_older_than(
      dir_, cutoff,
      [&](const std::string& source, std::size_t count) {
        if (sdk::Status s = keep_last_entry(source); !s.ok()) return s;
        return before(source, count);
      },
      removed);
}

sdk::Status QuarantineStore::remove_entries(const std::string& source, const std::vector<std::uint64_t>& entries,
                                           const BeforeRemoval& before,
                                           std::vector<RemovedQuarantineEntry>& removed) {
  removed.clear();
  std::lock_guard<std::mutex> lock(mu_);
  const std::string path = file_for(source);
  const std::vector<std::string> lines = read_lines(path);
  const std::vector<QuarantineEntry> numbered = number_lines(lines);
  const std::set<std::uint64_t> chosen(entries.begin(), entries.end());
  for (std::uint64_t n : chosen)
    if (std::none_of(numbered.begin(), numbered.end(), [n](const QuarantineEntry& e) { return e.entry == n; }))
      return sdk::Status::Invalid("source '" + source + "' has " + std::to_string(lines.size()) +
                                  " quarantined input" + (lines.size() == 1 ? "" : "s") + "; there is no entry " +
                                  std::to_string(n));
  std::string kept;
  std::vector<RemovedQuarantineEntry> gone;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const QuarantineEntry& e = numbered[i];
    if (!chosen.empty() && !chosen.count(e.entry)) {
      kept += lines[i] + "\n";
      continue;
    }
    const bool readable = e.value.is_object();
    gone.push_back({e.entry, readable ? std::string(e.value.string_or("time", "")) : "",
                    readable ? std::string(e.value.string_or("reason", "")) : "(unreadable line)"});
  }
  if (gone.empty()) return sdk::Status::Ok();
  // The numbers removed stay given out, also after a restart with an emptied
  // file: kept on disk first, so a failure here removes nothing.
  last_[source] = std::max(last_[source], highest(numbered));
  if (sdk::Status s = keep_last_entry(source); !s.ok()) return s;
  if (sdk::Status s = before(source, gone.size()); !s.ok()) return s;
  if (sdk::Status s = write_file_atomic(path, kept); !s.ok()) return s;
  removed = std::move(gone);
  return sdk::Status::Ok();
}

sdk::Status QuarantineStore::open_sealed(std::string_view sealed_b64, std::string& raw) const {
  std::string sealed;
  if (!unbase64(sealed_b64, sealed) || sealed.size() < kNonce + kTag)
    return sdk::Status::Invalid("quarantine entry is not valid base64 sealed data");
  auto* buf = reinterpret_cast<unsigned char*>(sealed.data());
  std::size_t n = sealed.size() - kNonce - kTag;
  raw.assign(n, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, reinterpret_cast<const unsigned char*>(key_.data()),
                         buf) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(raw.data()), &len, buf + kNonce,
                        static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, buf + kNonce + n) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(raw.data()) + len, &len) != 1)
    return sdk::Status::Invalid("quarantine entry does not decrypt with this key (wrong key or tampered)");
  return sdk::Status::Ok();
}

}  // namespace medgate::spool
