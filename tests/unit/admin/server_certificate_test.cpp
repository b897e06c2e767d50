// ServerCertificate: what a TLS handshake presents after replace(), and that a
// bad renewal keeps the pair in use. Handshakes run in memory (a BIO pair
// between an OpenSSL client and server), certificates are made here.
#include "admin/server_certificate.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "temp_dir.h"

namespace medgate::admin {
namespace {

template <typename T, void (*F)(T*)>
struct Free {
  void operator()(T* p) const { F(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Free<X509, X509_free>>;
using CtxPtr = std::unique_ptr<SSL_CTX, Free<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, Free<SSL, SSL_free>>;

// A self-signed certificate for `cn`, valid for a day.
CertPtr make_cert(EVP_PKEY* key, const std::string& cn, long serial) {
  CertPtr x(X509_new());
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  X509_set_pubkey(x.get(), key);
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  EXPECT_GT(X509_sign(x.get(), key, EVP_sha256()), 0);
  return x;
}

struct Identity {
  KeyPtr key;
  CertPtr cert;
  std::string cert_file, key_file;
};

// A key and certificate for `cn`, written as PEM files NAME.crt / NAME.key (0600).
Identity make_identity(const testing::TempDir& dir, const std::string& name, const std::string& cn, long serial) {
  Identity id;
  id.key.reset(EVP_EC_gen("P-256"));
  id.cert = make_cert(id.key.get(), cn, serial);
  id.cert_file = dir / (name + ".crt");
  id.key_file = dir / (name + ".key");
  BIO* c = BIO_new_file(id.cert_file.c_str(), "w");
  PEM_write_bio_X509(c, id.cert.get());
  BIO_free(c);
  BIO* k = BIO_new_file(id.key_file.c_str(), "w");
  PEM_write_bio_PrivateKey(k, id.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  BIO_free(k);
  ::chmod(id.key_file.c_str(), 0600);
  return id;
}

std::string common_name(X509* cert) {
  char cn[128] = {0};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
  return cn;
}

// A server context that loaded `own` itself, as POCO's Context does.
CtxPtr server_ctx(const Identity& own) {
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  EXPECT_EQ(SSL_CTX_use_certificate(ctx.get(), own.cert.get()), 1);
  EXPECT_EQ(SSL_CTX_use_PrivateKey(ctx.get(), own.key.get()), 1);
  return ctx;
}

struct Presented {
  std::string cn;
  int chain_length = 0;  // as the client received it, the server's certificate included
};

// One handshake over an in-memory BIO pair; what the client was shown.
Presented handshake(SSL_CTX* server) {
  CtxPtr client_ctx(SSL_CTX_new(TLS_client_method()));
  SslPtr client(SSL_new(client_ctx.get())), srv(SSL_new(server));
  BIO *client_bio = nullptr, *server_bio = nullptr;
  EXPECT_EQ(BIO_new_bio_pair(&client_bio, 0, &server_bio, 0), 1);
  SSL_set_bio(client.get(), client_bio, client_bio);
  SSL_set_bio(srv.get(), server_bio, server_bio);
  SSL_set_connect_state(client.get());
  SSL_set_accept_state(srv.get());
  bool client_done = false, server_done = false;
  for (int round = 0; round < 20 && !(client_done && server_done); ++round) {
    if (!client_done) client_done = SSL_do_handshake(client.get()) == 1;
    if (!server_done) server_done = SSL_do_handshake(srv.get()) == 1;
  }
  Presented p;
  if (!(client_done && server_done)) {
    ADD_FAILURE() << "the in-memory TLS handshake did not complete";
    return p;
  }
  X509* peer = SSL_get0_peer_certificate(client.get());
  if (peer) p.cn = common_name(peer);
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(client.get())) p.chain_length = sk_X509_num(chain);
  return p;
}

class ServerCertificateTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  Identity old_id = make_identity(dir, "old", "admin-2026-old", 1);
  Identity renewed = make_identity(dir, "renewed", "admin-2026-renewed", 2);
};

TEST_F(ServerCertificateTest, EachHandshakePresentsThePairCurrentWhenItStarts) {
  CtxPtr ctx = server_ctx(old_id);
  ServerCertificate cert;
  ASSERT_TRUE(cert.replace(old_id.cert_file, old_id.key_file).ok());
  cert.attach(ctx.get());
  EXPECT_EQ(handshake(ctx.get()).cn, "admin-2026-old");

  const std::string before = cert.fingerprint();
  sdk::Status s = cert.replace(renewed.cert_file, renewed.key_file);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(handshake(ctx.get()).cn, "admin-2026-renewed");
  EXPECT_NE(cert.fingerprint(), before);
  EXPECT_NE(cert.describe().find("CN=admin-2026-renewed"), std::string::npos) << cert.describe();
  EXPECT_NE(cert.describe().find(cert.fingerprint()), std::string::npos) << cert.describe();

  // The same files again: the same certificate.
  const std::string now = cert.fingerprint();
  ASSERT_TRUE(cert.replace(renewed.cert_file, renewed.key_file).ok());
  EXPECT_EQ(cert.fingerprint(), now);
}

TEST_F(ServerCertificateTest, BeforeTheFirstReplaceTheContextsOwnCertificateIsPresented) {
  CtxPtr ctx = server_ctx(old_id);
  ServerCertificate cert;
  cert.attach(ctx.get());
  EXPECT_EQ(handshake(ctx.get()).cn, "admin-2026-old");
  EXPECT_EQ(cert.describe(), "");
}

TEST_F(ServerCertificateTest, AKeyOfAnotherCertificateIsRefusedAndThePairInUseStays) {
  CtxPtr ctx = server_ctx(old_id);
  ServerCertificate cert;
  ASSERT_TRUE(cert.replace(old_id.cert_file, old_id.key_file).ok());
  cert.attach(ctx.get());
  const std::string before = cert.fingerprint();

  sdk::Status s = cert.replace(renewed.cert_file, old_id.key_file);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not belong to the certificate " + renewed.cert_file), std::string::npos)
      << s.message();
  EXPECT_EQ(cert.fingerprint(), before);
  EXPECT_EQ(handshake(ctx.get()).cn, "admin-2026-old");
}

TEST_F(ServerCertificateTest, UnusableFilesAreRefusedNamingFileAndProblem) {
  ServerCertificate cert;
  ASSERT_TRUE(cert.replace(old_id.cert_file, old_id.key_file).ok());
  const std::string before = cert.fingerprint();

  ::chmod(renewed.key_file.c_str(), 0644);
  sdk::Status s = cert.replace(renewed.cert_file, renewed.key_file);
  EXPECT_NE(s.message().find("is accessible by group or others"), std::string::npos) << s.message();
  ::chmod(renewed.key_file.c_str(), 0600);

  s = cert.replace(dir / "missing.crt", renewed.key_file);
  EXPECT_NE(s.message().find("cannot open the certificate " + dir / "missing.crt"), std::string::npos) << s.message();

  testing::write_file(dir / "garbage.crt", "not a certificate\n", 0644);
  s = cert.replace(dir / "garbage.crt", renewed.key_file);
  EXPECT_NE(s.message().find("no PEM certificate in " + dir / "garbage.crt"), std::string::npos) << s.message();

  testing::write_file(dir / "garbage.key", "not a key\n");
  s = cert.replace(renewed.cert_file, dir / "garbage.key");
  EXPECT_NE(s.message().find("no PEM private key in " + dir / "garbage.key"), std::string::npos) << s.message();

  EXPECT_EQ(cert.fingerprint(), before);
}

TEST_F(ServerCertificateTest, IntermediatesAfterTheCertificateAreSentWithIt) {
  // renewed.crt followed by another certificate standing in for an intermediate.
  Identity ca = make_identity(dir, "ca", "intermediate", 3);
  BIO* out = BIO_new_file((dir / "chain.crt").c_str(), "w");
  PEM_write_bio_X509(out, renewed.cert.get());
  PEM_write_bio_X509(out, ca.cert.get());
  BIO_free(out);

  CtxPtr ctx = server_ctx(old_id);
  ServerCertificate cert;
  cert.attach(ctx.get());
  sdk::Status s = cert.replace(dir / "chain.crt", renewed.key_file);
  ASSERT_TRUE(s.ok()) << s.message();
  Presented p = handshake(ctx.get());
  EXPECT_EQ(p.cn, "admin-2026-renewed");
  EXPECT_EQ(p.chain_length, 2);

  // A damaged block after the first certificate is an error, not a shorter chain.
  BIO* bad = BIO_new_file((dir / "damaged.crt").c_str(), "w");
  PEM_write_bio_X509(bad, renewed.cert.get());
  BIO_puts(bad, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  BIO_free(bad);
  s = cert.replace(dir / "damaged.crt", renewed.key_file);
  EXPECT_NE(s.message().find("a damaged certificate after the first one in"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace medgate::admin
