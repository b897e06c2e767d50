#include "crypto/keyed_hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <stdexcept>

#include "crypto/digest.h"

namespace medgate::crypto {
namespace {
std::atomic<std::uint64_t> next_hasher_id{1};

// Each thread keeps keyed HMAC contexts for the last few hashers it used and
// re-initialises them per token (EVP_MAC_init with a NULL key reuses the key):
// about 3x faster than duplicating the prototype per call, and no allocation.
// Hasher ids are never reused, so a slot can never answer for another key.
class ThreadContexts {
 public:
  ~ThreadContexts() {
    for (auto& s : slots_) EVP_MAC_CTX_free(s.ctx);
  }
  EVP_MAC_CTX* get(std::uint64_t id, const EVP_MAC_CTX* prototype) {
    for (auto& s : slots_)
      if (s.id == id) return s.ctx;
    Slot& s = slots_[next_victim_++ % slots_.size()];
    EVP_MAC_CTX_free(s.ctx);
    s.ctx = EVP_MAC_CTX_dup(prototype);
    s.id = s.ctx ? id : 0;
    return s.ctx;
  }

 private:
  struct Slot {
    std::uint64_t id = 0;
    EVP_MAC_CTX* ctx = nullptr;
  };
  std::array<Slot, 4> slots_{};
  std::size_t next_victim_ = 0;
};
}  // namespace

KeyedHasher::KeyedHasher(std::string_view key) : id_(next_hasher_id.fetch_add(1)) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!mac) throw std::runtime_error("OpenSSL: HMAC unavailable");
  prototype_ = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
  if (!prototype_ ||
      EVP_MAC_init(prototype_, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) != 1) {
    EVP_MAC_CTX_free(prototype_);
    throw std::runtime_error("OpenSSL: HMAC-SHA256 init failed");
  }
}

KeyedHasher::~KeyedHasher() { EVP_MAC_CTX_free(prototype_); }

std::string KeyedHasher::token(std::string_view domain, std::string_view value, std::size_t hex_chars) const {
  thread_local ThreadContexts contexts;
  EVP_MAC_CTX* ctx = contexts.get(id_, prototype_);
  static constexpr unsigned char kSep = 0x1f;
  unsigned char out[32];
  std::size_t len = 0;
  if (!ctx || EVP_MAC_init(ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(domain.data()), domain.size()) != 1 ||
      EVP_MAC_update(ctx, &kSep, 1) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(value.data()), value.size()) != 1 ||
      EVP_MAC_final(ctx, out, &len, sizeof out) != 1)
    throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  std::string hex = to_hex(out, sizeof out);
  hex.resize(std::min<std::size_t>(hex_chars, hex.size()));
  return hex;
}

}  // namespace medgate::crypto
