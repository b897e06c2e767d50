// Keyed hashing (HMAC-SHA256) for pseudonymous tokens. A token depends only on
// the key, the field's domain and the value, so it is stable across restarts
// and across instances sharing the key.
#pragma once

#include <string>
#include <string_view>

namespace medgate::crypto {

class KeyedHasher {
 public:
  explicit KeyedHasher(std::string_view key);
  ~KeyedHasher();
  KeyedHasher(const KeyedHasher&) = delete;
  KeyedHasher& operator=(const KeyedHasher&) = delete;

  // HMAC-SHA256(key, domain || 0x1f || value), as lowercase hex truncated to
  // `hex_chars` (at most 64). Thread-safe: const, and nothing shared is written.
  std::string token(std::string_view domain, std::string_view value, std::size_t hex_chars = 32) const;

 private:
  // The SHA-256 states after the key's inner and outer pad blocks (RFC 2104),
  // computed once; each token starts from copies of them. Opaque here
  // (OpenSSL's SHA256_CTX, 112 bytes), so OpenSSL's headers stay out.
  alignas(8) unsigned char inner_[128];
  alignas(8) unsigned char outer_[128];
};

}  // namespace medgate::crypto
