// medgatectl's side of the admin API: finds the address and a bearer token
// (from --token-file, $MEDGATE_TOKEN_FILE, or the first readable admin.tokens
// file of the config) and makes one HTTP request, over TLS when the config's
// admin.tls is set: the server must then present a certificate that
// $MEDGATE_CA_FILE (a CA or the certificate itself) or, by default, the
// config's admin.tls.cert vouches for, or one a system CA issued; its name
// must match the host of admin.listen.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "medgate/sdk/status.h"

namespace medgate::ctl {

struct AdminEndpoint {
  std::string listen;  // HOST:PORT from admin.listen
  std::string token;   // never printed
  bool tls = false;     // admin.tls is set
  std::string ca_file;  // what vouches for the server's certificate (with the system CAs)
};

// Reads admin.listen and a token. `token_file` (may be empty) wins over the
// environment, which wins over the config's admin.tokens.
sdk::Status find_admin_endpoint(const std::string& config_path, const std::string& token_file, AdminEndpoint& out);

struct AdminResponse {
  int status = 0;
  std::string body;
};

// One request; a Status error when the daemon cannot be reached (naming the
// address). `timeout` bounds each wait for data. With `on_line`, each line of
// the answer goes there as it arrives (streamed progress) as well as into body.
sdk::Status admin_request(const AdminEndpoint& ep, const std::string& method, const std::string& path,
                          const std::string& body, AdminResponse& out,
                          std::chrono::seconds timeout = std::chrono::seconds(30),
                          const std::function<void(const std::string&)>& on_line = {});

}  // namespace medgate::ctl
