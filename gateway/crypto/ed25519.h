// Ed25519 signatures (OpenSSL 3 EVP) for the audit log's checkpoints. The
// signing key is a PEM PKCS#8 private key file, as made by
// `openssl genpkey -algorithm ed25519 -out FILE`, kept apart from the data
// keys; its public half (`openssl pkey -in FILE -pubout`) is the verifying key
// a compliance officer holds. Key material is never logged or printed.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "medgate/sdk/status.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace medgate::crypto {

class Ed25519Key {
 public:
  ~Ed25519Key();
  Ed25519Key(const Ed25519Key&) = delete;
  Ed25519Key& operator=(const Ed25519Key&) = delete;

  // A private key file: the secret-file checks (regular file, no group/other
  // access), then an unencrypted PEM private key of type Ed25519. Messages
  // name the file (as `what`) and the fix, never its contents.
  static sdk::Status load_private(const std::string& path, std::unique_ptr<Ed25519Key>& out,
                                  std::string_view what = "audit signing key");
  // A public key file (PEM "PUBLIC KEY") of type Ed25519.
  static sdk::Status load_public(const std::string& path, std::unique_ptr<Ed25519Key>& out,
                                 std::string_view what = "audit verifying key");
  // A fresh private key (tests, key generation).
  static std::unique_ptr<Ed25519Key> generate();

  bool has_private() const noexcept { return private_; }
  // The signature of `message` as 128 lowercase hex digits; needs the private key.
  std::string sign_hex(std::string_view message) const;
  // True when `sig_hex` is a valid signature of `message` by this key.
  bool verify_hex(std::string_view message, std::string_view sig_hex) const;
  // Names the key without revealing anything secret: the first 16 hex digits
  // of SHA-256 over the raw 32-byte public key.
  const std::string& fingerprint() const noexcept { return fingerprint_; }
  // PEM texts: the public key, and (tests, key generation only) the private key.
  std::string public_pem() const;
  std::string private_pem() const;

 private:
  Ed25519Key(EVP_PKEY* key, bool has_private);
  EVP_PKEY* key_ = nullptr;
  bool private_ = false;
  std::string fingerprint_;
};

}  // namespace medgate::crypto
