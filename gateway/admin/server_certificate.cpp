#include "admin/server_certificate.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "medgate/sdk/secrets.h"

namespace medgate::admin {
namespace {
using sdk::Status;

// The most recent OpenSSL error as text (the queue is emptied).
std::string openssl_reason() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "no further detail";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

struct BioCloser {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioCloser>;
}  // namespace

struct ServerCertificate::Pair {
  X509* cert = nullptr;
  EVP_PKEY* key = nullptr;
  STACK_OF(X509)* chain = nullptr;  // intermediates, may be empty
  std::string description, fingerprint;
  Pair() = default;
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;
  ~Pair() {
    X509_free(cert);
    EVP_PKEY_free(key);
    sk_X509_pop_free(chain, X509_free);
  }
};

ServerCertificate::ServerCertificate() = default;
ServerCertificate::~ServerCertificate() = default;

Status ServerCertificate::replace(const std::string& cert_file, const std::string& key_file) {
  if (Status s = sdk::check_secret_file(key_file, "TLS key file"); !s.ok()) return s;
  ERR_clear_error();
  auto next = std::make_shared<Pair>();

  BioPtr cert_in(BIO_new_file(cert_file.c_str(), "r"));
  if (!cert_in) return Status::Invalid("cannot open the certificate " + cert_file + ": " + openssl_reason());
  next->cert = PEM_read_bio_X509_AUX(cert_in.get(), nullptr, nullptr, nullptr);
  if (!next->cert) return Status::Invalid("no PEM certificate in " + cert_file + ": " + openssl_reason());
  next->chain = sk_X509_new_null();
  if (!next->chain) return Status::Unavailable("out of memory reading " + cert_file);
  while (X509* extra = PEM_read_bio_X509(cert_in.get(), nullptr, nullptr, nullptr)) {
    if (!sk_X509_push(next->chain, extra)) {
      X509_free(extra);
      return Status::Unavailable("out of memory reading " + cert_file);
    }
  }
  // The loop ends at the end of the file (no start line) or at a damaged block.
  if (ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
    return Status::Invalid("a damaged certificate after the first one in " + cert_file + ": " + openssl_reason());
  ERR_clear_error();

  BioPtr key_in(BIO_new_file(key_file.c_str(), "r"));
  if (!key_in) return Status::Invalid("cannot open the TLS key " + key_file + ": " + openssl_reason());
  next->key = PEM_read_bio_PrivateKey(key_in.get(), nullptr, nullptr, nullptr);
  if (!next->key) return Status::Invalid("no PEM private key in " + key_file + ": " + openssl_reason());
  if (X509_check_private_key(next->cert, next->key) != 1) {
    ERR_clear_error();
    return Status::Invalid("the private key " + key_file + " does not belong to the certificate " + cert_file);
  }

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(next->cert, EVP_sha256(), md, &md_len) != 1)
    return Status::Unavailable("cannot fingerprint " + cert_file + ": " + openssl_reason());
  // "AB:CD:...", as `openssl x509 -noout -fingerprint -sha256` prints it.
  char* hex = OPENSSL_buf2hexstr(md, md_len);
  if (!hex) return Status::Unavailable("out of memory fingerprinting " + cert_file);
  next->fingerprint = hex;
  OPENSSL_free(hex);
  char subject[256];
  X509_NAME_oneline(X509_get_subject_name(next->cert), subject, sizeof subject);
  std::string until;
  if (BioPtr mem(BIO_new(BIO_s_mem())); mem && ASN1_TIME_print(mem.get(), X509_get0_notAfter(next->cert)) == 1) {
    char* text = nullptr;
    long n = BIO_get_mem_data(mem.get(), &text);
    until.assign(text, static_cast<std::size_t>(n));
  }
  next->description = std::string(subject) + " (SHA-256 fingerprint " + next->fingerprint + ", valid until " + until + ")";

  std::lock_guard lock(mu_);
  pair_ = std::move(next);
  return Status::Ok();
}

std::shared_ptr<const ServerCertificate::Pair> ServerCertificate::current() const {
  std::lock_guard lock(mu_);
  return pair_;
}

std::string ServerCertificate::describe() const {
  auto p = current();
  return p ? p->description : std::string();
}

std::string ServerCertificate::fingerprint() const {
  auto p = current();
  return p ? p->fingerprint : std::string();
}

void ServerCertificate::attach(ssl_ctx_st* ctx) { SSL_CTX_set_cert_cb(ctx, &ServerCertificate::on_handshake, this); }

// Called by OpenSSL in each handshake before it picks the certificate: sets
// the current pair on this connection (OpenSSL takes its own references, so
// a replace() during the handshake frees nothing in use). Before the first
// replace() the context's own certificate stays.
int ServerCertificate::on_handshake(ssl_st* ssl, void* self) {
  auto p = static_cast<ServerCertificate*>(self)->current();
  if (!p) return 1;
  return SSL_use_cert_and_key(ssl, p->cert, p->key, p->chain, 1) == 1 ? 1 : 0;
}

}  // namespace medgate::admin
