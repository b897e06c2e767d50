// The admin API (SPEC "Admin API"): POCO's HTTP server on admin.listen
// (127.0.0.1:8580 by default).
//   GET /healthz  the process is up                      (no token)
//   GET /readyz   200 when ready to take input, else 503 (no token)
//   GET /metrics  Prometheus text format                  (no token)
//   GET /api/v1/status|plugins|routes                     (any role)
// Everything under /api/ needs "Authorization: Bearer TOKEN" with a token from
// one of the admin.tokens files: 401 without a valid one, 403 when the role
// may not do that. Roles: admin (everything), operator (operate: reload,
// dead letters), auditor (read only).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "admin/admin_view.h"
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

 private:
  config::AdminConfig config_;
  AdminView& view_;
  std::vector<BearerToken> tokens_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
};

}  // namespace medgate::admin
