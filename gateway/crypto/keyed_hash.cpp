#include "crypto/keyed_hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <stdexcept>

#include "crypto/digest.h"

namespace medgate::crypto {
namespace {
struct MacDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};
}  // namespace

KeyedHasher::KeyedHasher(std::string_view key) {
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
  std::unique_ptr<EVP_MAC_CTX, MacDeleter> ctx(EVP_MAC_CTX_dup(prototype_));
  static constexpr unsigned char kSep = 0x1f;
  unsigned char out[32];
  std::size_t len = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(domain.data()), domain.size()) != 1 ||
      EVP_MAC_update(ctx.get(), &kSep, 1) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(value.data()), value.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out, &len, sizeof out) != 1)
    throw std::runtime_error("OpenSSL: HMAC-SHA256 failed");
  std::string hex = to_hex(out, sizeof out);
  hex.resize(std::min<std::size_t>(hex_chars, hex.size()));
  return hex;
}

}  // namespace medgate::crypto
