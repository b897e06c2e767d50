// The admin API (SPEC "Admin API"): POCO's HTTP server on admin.listen
// (127.0.0.1:8580 by default).
//   GET /healthz  the process is up                      (no token)
//   GET /readyz   200 when ready to take input, else 503 (no token)
//   GET /metrics  Prometheus text format                  (no token)
//   GET  /api/v1/status|plugins|routes                    (any role)
//   GET  /api/v1/dlq                                      (any role: counts only)
//   GET  /api/v1/dlq/TARGET?offset=N&limit=N              (operator: entries)
//   POST /api/v1/dlq/TARGET/replay  {"keys":[...]}        (operator; NDJSON progress)
//   POST /api/v1/dlq/TARGET/drop    {"keys":[...]} or {"all":true}  (operator)
//   POST /api/v1/reload                                   (operator)
// Everything under /api/ needs "Authorization: Bearer TOKEN" with a token from
// one of the admin.tokens files: 401 without a valid one, 403 when the role
// may not do that. Roles: admin (everything), operator (operate: reload,
// dead letters), auditor (read only). docs/admin-api.md has the details.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "admin/admin_view.h"
#include "admin/server_certificate.h"
#include "config/gateway_config.h"
#include "medgate/sdk/status.h"

namespace Poco::Net {
class HTTPServer;
}

namespace medgate::admin {

enum class Role { auditor, operator_, admin };

struct BearerToken {
  std::string token;
  Role role;
};

// Reads every token file (permissions checked, never logged); refuses tokens
// shorter than 16 characters and tokens used twice.
sdk::Status load_tokens(const std::vector<config::AdminTokenConfig>& configs, std::vector<BearerToken>& out);

// The role for an Authorization header value, or nullptr (constant-time compare).
const BearerToken* authenticate(const std::vector<BearerToken>& tokens, const std::string& authorization);

// The current tokens; replaced as a whole on reload while requests read them.
class TokenTable {
 public:
  std::shared_ptr<const std::vector<BearerToken>> current() const {
    std::lock_guard<std::mutex> lock(mu_);
    return tokens_;
  }
  void replace(std::vector<BearerToken> tokens) {
    auto next = std::make_shared<const std::vector<BearerToken>>(std::move(tokens));
    std::lock_guard<std::mutex> lock(mu_);
    tokens_ = std::move(next);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<BearerToken>> tokens_ = std::make_shared<const std::vector<BearerToken>>();
};

class AdminServer {
 public:
  AdminServer(config::AdminConfig config, AdminView& view);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Loads the tokens and starts listening; an error names the address or file.
  sdk::Status start();
  void stop();
  std::uint16_t port() const;  // the bound port (useful with port 0)
  // Re-reads the token files (after a reload); on error the old tokens stay.
  sdk::Status reload_tokens(const std::vector<config::AdminTokenConfig>& configs);
  // Re-reads admin.tls's certificate and key (after a reload, e.g. a renewed
  // certificate at the same or a new path): handshakes from then on present
  // them; connections already open keep theirs. On error the old pair stays.
  // Nothing to do when TLS is off; turning it on or off needs a restart.
  sdk::Status reload_certificate(const config::ServerTlsConfig& tls);
  // The certificate the listener presents ("" without TLS), for the log.
  std::string certificate() const;

 private:
  config::AdminConfig config_;
  AdminView& view_;
  TokenTable tokens_;
  std::unique_ptr<ServerCertificate> certificate_;  // with TLS; outlives server_
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace medgate::admin
