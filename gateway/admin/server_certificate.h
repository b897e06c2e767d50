// The certificate a TLS listener presents, replaceable while it serves: the
// admin API's listener lives as long as medgated, so a renewed certificate
// (same paths, new files, e.g. after certbot or the hospital PKI reissued it)
// is taken by a reload instead of a restart.
//
// attach() installs an OpenSSL certificate callback on the listener's
// SSL_CTX; every handshake then presents the pair current when it starts.
// replace() loads and checks a new pair first (key permissions, the key
// belongs to the certificate) and keeps the old one on any error, so a bad
// renewal never leaves the listener without a certificate.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "medgate/sdk/status.h"

struct ssl_ctx_st;
struct ssl_st;

namespace medgate::admin {

class ServerCertificate {
 public:
  ServerCertificate();
  ~ServerCertificate();
  ServerCertificate(const ServerCertificate&) = delete;
  ServerCertificate& operator=(const ServerCertificate&) = delete;

  // Loads CERT_FILE (PEM: the certificate, then any intermediates) and
  // KEY_FILE (PEM private key, not readable by group or others). On error the
  // current pair stays and the status names the file and the problem.
  sdk::Status replace(const std::string& cert_file, const std::string& key_file);
  // Handshakes on `ctx` started from now on present the current pair. This
  // object must outlive every use of `ctx`.
  void attach(ssl_ctx_st* ctx);
  // "CN=... (SHA-256 fingerprint AB:CD:..., valid until Nov 26 08:00:00 2026 GMT)";
  // empty before the first replace().
  std::string describe() const;
  // The SHA-256 fingerprint of the current certificate, as `openssl x509
  // -fingerprint -sha256` prints it.
  std::string fingerprint() const;

 private:
  struct Pair;
  std::shared_ptr<const Pair> current() const;
  static int on_handshake(ssl_st* ssl, void* self);

  mutable std::mutex mu_;
  std::shared_ptr<const Pair> pair_;
};

}  // namespace medgate::admin
