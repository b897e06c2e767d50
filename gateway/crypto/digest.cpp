#include "crypto/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace medgate::crypto {

Sha256 sha256(std::string_view data) {
  Sha256 out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1 || len != out.size())
    throw std::runtime_error("SHA-256 failed");
  return out;
}

std::string to_hex(const std::uint8_t* data, std::size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes * 2, '\0');
  for (std::size_t i = 0; i < bytes; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

}  // namespace medgate::crypto
