// Keyed hashing (HMAC-SHA256) for pseudonymous tokens. A token depends only on
// the key, the field's domain and the value, so it is stable across restarts
// and across instances sharing the key.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace medgate::crypto {

class KeyedHasher {
 public:
  explicit KeyedHasher(std::string_view key);
  ~KeyedHasher();
  KeyedHasher(const KeyedHasher&) = delete;
  KeyedHasher& operator=(const KeyedHasher&) = delete;

  // HMAC-SHA256(key, domain || 0x1f || value), as lowercase hex truncated to
  // `hex_chars` (at most 64). Thread-safe.
  std::string token(std::string_view domain, std::string_view value, std::size_t hex_chars = 32) const;

 private:
  std::uint64_t id_;                  // unique per instance, never reused
  EVP_MAC_CTX* prototype_ = nullptr;  // keyed once; each thread keeps a copy
};

}  // namespace medgate::crypto
