#include "spool/quarantine_store.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fstream>
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

sdk::Status QuarantineStore::open() { return ensure_dir(dir_); }

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
  sdk::Value v = sdk::Value::object();
  v["time"] = utc_now_rfc3339();
  v["source"] = source;
  v["reason"] = std::string(reason);
  v["bytes"] = static_cast<std::int64_t>(raw.size());
  v["sealed"] = base64(sealed);
  std::string line = sdk::to_json(v);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  return append_durable(file_for(source), line);
}

sdk::Status QuarantineStore::remove_older_than(std::chrono::system_clock::time_point cutoff,
                                               std::vector<std::pair<std::string, std::size_t>>& removed) {
  std::lock_guard<std::mutex> lock(mu_);
  return remove_entries_older_than(dir_, cutoff, removed);
}

sdk::Status QuarantineStore::remove_entries(const std::string& source, const std::vector<std::size_t>& entries,
                                           std::vector<RemovedQuarantineEntry>& removed) {
  removed.clear();
  std::lock_guard<std::mutex> lock(mu_);
  const std::string path = file_for(source);
  std::vector<std::string> lines;
  {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  }
  const std::set<std::size_t> chosen(entries.begin(), entries.end());
  if (!chosen.empty() && (*chosen.begin() == 0 || *chosen.rbegin() > lines.size()))
    return sdk::Status::Invalid("source '" + source + "' has " + std::to_string(lines.size()) +
                                " quarantined input" + (lines.size() == 1 ? "" : "s") + "; there is no entry " +
                                std::to_string(*chosen.begin() == 0 ? 0 : *chosen.rbegin()));
  std::string kept;
  std::vector<RemovedQuarantineEntry> gone;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!chosen.empty() && !chosen.count(i + 1)) {
      kept += lines[i] + "\n";
      continue;
    }
    sdk::Value v;
    const bool readable = sdk::parse_json(lines[i], v).ok() && v.is_object();
    gone.push_back({i + 1, readable ? std::string(v.string_or("time", "")) : "",
                    readable ? std::string(v.string_or("reason", "")) : "(unreadable line)"});
  }
  if (gone.empty()) return sdk::Status::Ok();
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
