// HMAC-SHA256 per RFC 2104 over OpenSSL's SHA-256 block functions, with the
// key's pad blocks absorbed once. A token then costs two SHA-256 compressions
// and two 112-byte copies. OpenSSL 3's EVP_MAC re-initialisation, used
// before, duplicated both digest contexts through the provider layer (two
// allocations and frees and several indirect calls per token): about 2.5x
// slower for the 20-40-byte messages tokens hash (docs/benchmarks.md).
// OpenSSL 3 marks the SHA256_* functions deprecated (in favour of EVP,
// which has no cheap way to copy a keyed state); they remain part of its
// API and use the same SHA-NI/AVX2 code. keyed_hash_test checks the result
// against OpenSSL's own HMAC() on the RFC 4231 vectors and random inputs.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "crypto/keyed_hash.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "crypto/digest.h"

namespace medgate::crypto {
namespace {
static_assert(sizeof(SHA256_CTX) <= 128, "KeyedHasher's state buffers hold a SHA256_CTX");

SHA256_CTX& state(unsigned char* buf) { return *reinterpret_cast<SHA256_CTX*>(buf); }
const SHA256_CTX& state(const unsigned char* buf) { return *reinterpret_cast<const SHA256_CTX*>(buf); }

void check(int ok) {
  if (ok != 1) throw std::runtime_error("OpenSSL: SHA-256 failed");
}
}  // namespace

KeyedHasher::KeyedHasher(std::string_view key) {
  unsigned char block[SHA256_CBLOCK] = {};
  if (key.size() > SHA256_CBLOCK) {  // a longer key is hashed first (RFC 2104 section 2)
    SHA256_CTX c;
    check(SHA256_Init(&c));
    check(SHA256_Update(&c, key.data(), key.size()));
    check(SHA256_Final(block, &c));
    OPENSSL_cleanse(&c, sizeof c);
  } else {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[SHA256_CBLOCK];
  for (std::size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x36;
  check(SHA256_Init(&state(inner_)));
  check(SHA256_Update(&state(inner_), pad, sizeof pad));
  for (std::size_t i = 0; i < sizeof pad; ++i) pad[i] = block[i] ^ 0x5c;
  check(SHA256_Init(&state(outer_)));
  check(SHA256_Update(&state(outer_), pad, sizeof pad));
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

KeyedHasher::~KeyedHasher() {
  OPENSSL_cleanse(inner_, sizeof inner_);
  OPENSSL_cleanse(outer_, sizeof outer_);
}

std::string KeyedHasher::token(std::string_view domain, std::string_view value, std::size_t hex_chars) const {
  static constexpr unsigned char kSep = 0x1f;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX c = state(inner_);
  check(SHA256_Update(&c, domain.data(), domain.size()));
  check(SHA256_Update(&c, &kSep, 1));
  check(SHA256_Update(&c, value.data(), value.size()));
  check(SHA256_Final(digest, &c));
  c = state(outer_);
  check(SHA256_Update(&c, digest, sizeof digest));
  check(SHA256_Final(digest, &c));
  OPENSSL_cleanse(&c, sizeof c);
  std::string hex = to_hex(digest, sizeof digest);
  hex.resize(std::min(hex_chars, hex.size()));
  return hex;
}

}  // namespace medgate::crypto
