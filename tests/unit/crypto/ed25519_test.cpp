// The audit signing key: files as openssl makes them load, everything else is
// refused with the file named and the fix; signatures verify only with the
// matching public key.
#include "crypto/ed25519.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include <fstream>

#include "temp_dir.h"

namespace medgate::crypto {
namespace {

using medgate::testing::TempDir;
using medgate::testing::write_file;

std::string rsa_private_pem() {
  EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, rsa, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  EVP_PKEY_free(rsa);
  return pem;
}

TEST(Ed25519Key, SignsAndVerifiesAcrossItsPemFiles) {
  TempDir dir;
  auto key = Ed25519Key::generate();
  write_file(dir / "signing.key", key->private_pem());
  write_file(dir / "verify.pub", key->public_pem(), 0644);  // public: no permission rule
  std::unique_ptr<Ed25519Key> priv, pub;
  ASSERT_TRUE(Ed25519Key::load_private(dir / "signing.key", priv).ok());
  ASSERT_TRUE(Ed25519Key::load_public(dir / "verify.pub", pub).ok());
  EXPECT_TRUE(priv->has_private());
  EXPECT_FALSE(pub->has_private());
  EXPECT_EQ(priv->fingerprint(), key->fingerprint());
  EXPECT_EQ(pub->fingerprint(), key->fingerprint());
  EXPECT_EQ(pub->fingerprint().size(), 16u);

  const std::string sig = priv->sign_hex("statement");
  EXPECT_EQ(sig.size(), 128u);
  EXPECT_TRUE(pub->verify_hex("statement", sig));
  EXPECT_FALSE(pub->verify_hex("statement.", sig));
  std::string flipped = sig;
  flipped[10] = flipped[10] == '0' ? '1' : '0';
  EXPECT_FALSE(pub->verify_hex("statement", flipped));
  EXPECT_FALSE(pub->verify_hex("statement", sig.substr(2)));
  EXPECT_FALSE(pub->verify_hex("statement", std::string(128, 'z')));
  EXPECT_FALSE(Ed25519Key::generate()->verify_hex("statement", sig));  // another key
}

TEST(Ed25519Key, RefusesKeysThatAreNotPrivateEd25519InASafeFile) {
  TempDir dir;
  auto key = Ed25519Key::generate();
  std::unique_ptr<Ed25519Key> out;
  auto message = [&](const std::string& file) { return Ed25519Key::load_private(file, out).message(); };

  write_file(dir / "open.key", key->private_pem(), 0644);
  EXPECT_NE(message(dir / "open.key").find("is accessible by group or others (mode 0644)"), std::string::npos);
  EXPECT_NE(message(dir / "missing.key").find("audit signing key " + dir / "missing.key" + " cannot be opened"),
            std::string::npos);
  write_file(dir / "hex.key", std::string(64, 'a') + "\n");
  EXPECT_NE(message(dir / "hex.key")
                .find("does not hold a PEM private key; make one with `openssl genpkey -algorithm "
                      "ed25519 -out"),
            std::string::npos)
      << message(dir / "hex.key");
  write_file(dir / "rsa.key", rsa_private_pem());
  EXPECT_NE(message(dir / "rsa.key").find("holds a key of type RSA, not Ed25519"), std::string::npos)
      << message(dir / "rsa.key");
  write_file(dir / "pub.pem", key->public_pem());
  EXPECT_NE(message(dir / "pub.pem").find("does not hold a PEM private key"), std::string::npos);
  write_file(dir / "enc.key", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
  EXPECT_NE(message(dir / "enc.key").find("is encrypted"), std::string::npos);
  // Nothing of the file's contents appears in any message.
  EXPECT_EQ(message(dir / "hex.key").find("aaaa"), std::string::npos);
}

TEST(Ed25519Key, PublicKeyFilesMustHoldAnEd25519PublicKey) {
  TempDir dir;
  auto key = Ed25519Key::generate();
  std::unique_ptr<Ed25519Key> out;
  write_file(dir / "signing.key", key->private_pem());
  EXPECT_NE(
      Ed25519Key::load_public(dir / "signing.key", out).message().find("holds a private key; give the public key"),
      std::string::npos);
  write_file(dir / "junk.pub", "not a key\n");
  EXPECT_NE(Ed25519Key::load_public(dir / "junk.pub", out).message().find("does not hold a PEM public key"),
            std::string::npos);
  EXPECT_NE(Ed25519Key::load_public(dir / "none.pub", out).message().find("cannot be opened"), std::string::npos);
}

}  // namespace
}  // namespace medgate::crypto
