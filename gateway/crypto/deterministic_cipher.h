// Deterministic, reversible encryption for outreach handles: AES-SIV
// (RFC 5297) through OpenSSL 3. The same key, associated data and plaintext
// always give the same ciphertext (so a handle links records like a token),
// and only a holder of the key can open it. The 16-byte synthetic IV doubles
// as the authentication tag: a modified handle never opens.
#pragma once

#include <string>
#include <string_view>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace medgate::crypto {

class DeterministicCipher {
 public:
  // `key`: 32 bytes (AES-128-SIV) or 64 bytes (AES-256-SIV); throws otherwise.
  explicit DeterministicCipher(std::string_view key);
  ~DeterministicCipher();
  DeterministicCipher(const DeterministicCipher&) = delete;
  DeterministicCipher& operator=(const DeterministicCipher&) = delete;

  // SIV tag (16 bytes) followed by the ciphertext. Thread-safe, as is open().
  // Both throw std::runtime_error when OpenSSL cannot do the work (e.g. out of
  // memory).
  std::string seal(std::string_view associated, std::string_view plain) const;
  // False when `sealed` was not made by this key with this associated data.
  bool open(std::string_view associated, std::string_view sealed, std::string& plain) const;

  // A 64-byte AES-256-SIV key derived from a key file's secret with
  // HKDF-SHA256 (info "medgate/encrypt/aes-256-siv/v1"), so the same secret
  // never serves as both an HMAC key and a cipher key.
  static std::string derive_key(std::string_view secret);

 private:
  // Keyed once; each call works on a copy. Keying an AES-SIV context in
  // OpenSSL 3 fetches three algorithms and sets up CMAC (about 3 us here);
  // copying a keyed one skips that (docs/benchmarks.md).
  EVP_CIPHER_CTX* sealer_ = nullptr;
  EVP_CIPHER_CTX* opener_ = nullptr;
};

// Handles carry the key id so a rotated key still opens old handles:
//   "mgh1." KEY_ID "." base64url(SIV tag || ciphertext), no padding.
// The key id is the associated data, so a handle moved under another id fails.
std::string format_handle(std::string_view key_id, std::string_view sealed);
// False when `text` is not shaped like a handle.
bool parse_handle(std::string_view text, std::string& key_id, std::string& sealed);

}  // namespace medgate::crypto
