#include "crypto/ed25519.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "crypto/digest.h"
#include "medgate/sdk/secrets.h"

namespace medgate::crypto {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

// Never prompt for a passphrase: medgated starts unattended.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

std::string type_name(EVP_PKEY* key) {
  const char* name = EVP_PKEY_get0_type_name(key);
  return name ? name : "unknown";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string pem_of(EVP_PKEY* key, bool private_part) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  int ok = private_part ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                        : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw std::runtime_error("cannot write the Ed25519 key as PEM");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

Ed25519Key::Ed25519Key(EVP_PKEY* key, bool has_private) : key_(key), private_(has_private) {
  unsigned char raw[32];
  std::size_t len = sizeof raw;
  if (EVP_PKEY_get_raw_public_key(key_, raw, &len) != 1 || len != sizeof raw)
    throw std::runtime_error("cannot read the Ed25519 public key");
  fingerprint_ = to_hex(sha256(std::string_view(reinterpret_cast<const char*>(raw), len)), 8);
}

Ed25519Key::~Ed25519Key() {
  EVP_PKEY_free(key_);
}

sdk::Status Ed25519Key::load_private(const std::string& path, std::unique_ptr<Ed25519Key>& out, std::string_view what) {
  const std::string name = std::string(what) + " " + path;
  std::string text;
  if (sdk::Status s = sdk::read_secret_file(path, text, what); !s.ok()) return s;
  text.push_back('\n');
  const std::string make = "; make one with `openssl genpkey -algorithm ed25519 -out " + path + "`";
  if (text.find("ENCRYPTED PRIVATE KEY") != std::string::npos)
    return sdk::Status::Invalid(name +
                                " is encrypted; medgated starts unattended and needs it unencrypted (mode 0600)");
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  ERR_clear_error();
  if (!key) return sdk::Status::Invalid(name + " does not hold a PEM private key" + make);
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    std::string type = type_name(key);
    EVP_PKEY_free(key);
    return sdk::Status::Invalid(name + " holds a key of type " + type + ", not Ed25519" + make);
  }
  out.reset(new Ed25519Key(key, true));
  return sdk::Status::Ok();
}

sdk::Status Ed25519Key::load_public(const std::string& path, std::unique_ptr<Ed25519Key>& out, std::string_view what) {
  const std::string name = std::string(what) + " " + path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return sdk::Status::Invalid(name + " cannot be opened: " + std::strerror(errno));
  std::string text(64 * 1024 + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > 64 * 1024) return sdk::Status::Invalid(name + " is larger than 64 KiB: not a public key");
  if (text.find("PRIVATE KEY") != std::string::npos)
    return sdk::Status::Invalid(name +
                                " holds a private key; give the public key (`openssl pkey -in SIGNING_KEY "
                                "-pubout -out " +
                                path + "`)");
  text.push_back('\n');
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr);
  ERR_clear_error();
  if (!key)
    return sdk::Status::Invalid(name +
                                " does not hold a PEM public key (make it with `openssl pkey -in SIGNING_KEY "
                                "-pubout -out " +
                                path + "`)");
  if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
    std::string type = type_name(key);
    EVP_PKEY_free(key);
    return sdk::Status::Invalid(name + " holds a public key of type " + type + ", not Ed25519");
  }
  out.reset(new Ed25519Key(key, false));
  return sdk::Status::Ok();
}

std::unique_ptr<Ed25519Key> Ed25519Key::generate() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (!key) throw std::runtime_error("cannot generate an Ed25519 key");
  return std::unique_ptr<Ed25519Key>(new Ed25519Key(key, true));
}

std::string Ed25519Key::sign_hex(std::string_view message) const {
  if (!private_) throw std::logic_error("sign_hex needs a private key");
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  unsigned char sig[64];
  std::size_t len = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(message.data()), message.size()) !=
          1 ||
      len != sizeof sig) {
    ERR_clear_error();
    throw std::runtime_error("Ed25519 signing failed");
  }
  return to_hex(sig, len);
}

bool Ed25519Key::verify_hex(std::string_view message, std::string_view sig_hex) const {
  if (sig_hex.size() != 128) return false;
  unsigned char sig[64];
  for (std::size_t i = 0; i < 64; ++i) {
    int hi = hex_value(sig_hex[2 * i]), lo = hex_value(sig_hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    sig[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_) == 1 &&
            EVP_DigestVerify(ctx.get(), sig, sizeof sig, reinterpret_cast<const unsigned char*>(message.data()),
                             message.size()) == 1;
  ERR_clear_error();
  return ok;
}

std::string Ed25519Key::public_pem() const {
  return pem_of(key_, false);
}

std::string Ed25519Key::private_pem() const {
  if (!private_) throw std::logic_error("private_pem needs a private key");
  return pem_of(key_, true);
}

}  // namespace medgate::crypto
