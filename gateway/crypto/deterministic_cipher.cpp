#include "crypto/deterministic_cipher.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>

namespace medgate::crypto {
namespace {
constexpr std::size_t kTag = 16;
struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int base64url_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string base64url(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (std::size_t rest = in.size() - i) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    if (rest == 2) out.push_back(kAlphabet[(v >> 6) & 63]);
  }
  return out;
}

bool from_base64url(std::string_view in, std::string& out) {
  if (in.size() % 4 == 1) return false;
  out.clear();
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    int v = base64url_value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  // Unused low bits must be zero: one handle, one spelling.
  return (acc & ((1u << bits) - 1)) == 0;
}
}  // namespace

DeterministicCipher::DeterministicCipher(std::string_view key) {
  const char* name = key.size() == 32 ? "AES-128-SIV" : key.size() == 64 ? "AES-256-SIV" : nullptr;
  if (!name) throw std::invalid_argument("AES-SIV needs a 32- or 64-byte key");
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, name, nullptr);
  if (!cipher) throw std::runtime_error(std::string("OpenSSL: ") + name + " unavailable");
  sealer_ = EVP_CIPHER_CTX_new();
  opener_ = EVP_CIPHER_CTX_new();
  const bool keyed = sealer_ && opener_ && EVP_EncryptInit_ex2(sealer_, cipher, bytes(key), nullptr, nullptr) == 1 &&
                     EVP_DecryptInit_ex2(opener_, cipher, bytes(key), nullptr, nullptr) == 1;
  EVP_CIPHER_free(cipher);  // the contexts hold their own references
  if (!keyed) {
    EVP_CIPHER_CTX_free(sealer_);
    EVP_CIPHER_CTX_free(opener_);
    throw std::runtime_error(std::string("OpenSSL: ") + name + " key set-up failed");
  }
}

DeterministicCipher::~DeterministicCipher() {
  EVP_CIPHER_CTX_free(sealer_);  // frees (and cleanses) the key schedules
  EVP_CIPHER_CTX_free(opener_);
}

namespace {
// A working copy of a keyed context. Threads may copy the same one at once:
// EVP_CIPHER_CTX_copy takes its source as const, and openssl-threads(7) says
// objects are thread-safe while the calls made on them do not modify them
// (for AES-SIV the copy reads the source's key schedules and CMAC state and
// takes references with atomic counts). Throws when no copy can be made (out
// of memory), so that this is never reported as a failed encryption or as a
// handle that does not open.
CipherCtx copy_of(const EVP_CIPHER_CTX* keyed) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CIPHER_CTX_copy(ctx.get(), keyed) != 1)
    throw std::runtime_error("OpenSSL: could not make a working copy of the AES-SIV context (out of memory?)");
  return ctx;
}
}  // namespace

std::string DeterministicCipher::seal(std::string_view associated, std::string_view plain) const {
  CipherCtx ctx = copy_of(sealer_);
  std::string out(kTag + plain.size(), '\0');
  auto* ct = reinterpret_cast<unsigned char*>(out.data()) + kTag;
  int len = 0;
  if (EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(associated), static_cast<int>(associated.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ct, &len, bytes(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kTag, out.data()) != 1)
    throw std::runtime_error("OpenSSL: AES-SIV encryption failed");
  return out;
}

bool DeterministicCipher::open(std::string_view associated, std::string_view sealed, std::string& plain) const {
  if (sealed.size() < kTag) return false;
  CipherCtx ctx = copy_of(opener_);
  std::string tag(sealed.substr(0, kTag));
  std::string_view ct = sealed.substr(kTag);
  plain.assign(ct.size(), '\0');
  int len = 0;
  bool ok = EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kTag, tag.data()) == 1 &&
            EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(associated), static_cast<int>(associated.size())) == 1 &&
            EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &len, bytes(ct),
                              static_cast<int>(ct.size())) == 1 &&
            EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + len, &len) == 1;
  if (!ok) plain.clear();
  return ok;
}

std::string DeterministicCipher::derive_key(std::string_view secret) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
  EVP_KDF_free(kdf);
  char digest[] = "SHA256";
  char info[] = "medgate/encrypt/aes-256-siv/v1";
  std::string key_copy(secret);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, key_copy.data(), key_copy.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof info - 1), OSSL_PARAM_END};
  std::string out(64, '\0');
  bool ok = ctx && EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), out.size(), params) == 1;
  EVP_KDF_CTX_free(ctx);
  OPENSSL_cleanse(key_copy.data(), key_copy.size());
  if (!ok) throw std::runtime_error("OpenSSL: HKDF-SHA256 failed");
  return out;
}

std::string format_handle(std::string_view key_id, std::string_view sealed) {
  std::string out = "mgh1.";
  out += key_id;
  out.push_back('.');
  out += base64url(sealed);
  return out;
}

bool parse_handle(std::string_view text, std::string& key_id, std::string& sealed) {
  constexpr std::string_view kPrefix = "mgh1.";
  if (text.substr(0, kPrefix.size()) != kPrefix) return false;
  text.remove_prefix(kPrefix.size());
  std::size_t dot = text.find('.');
  if (dot == 0 || dot == std::string_view::npos) return false;
  key_id = std::string(text.substr(0, dot));
  return from_base64url(text.substr(dot + 1), sealed) && sealed.size() >= kTag;
}

}  // namespace medgate::crypto
