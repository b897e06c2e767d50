// Listening sockets for the servers medgated runs itself (admin API, HTTP
// ingress): plain TCP, or TLS 1.2+ through POCO NetSSL when the section's
// `tls:` names a certificate. With a client CA (ingress only) every caller
// must present a certificate that CA issued (mutual TLS). The MLLP source
// builds its own listener in its plugin.
#pragma once

#include <Poco/Net/ServerSocket.h>

#include <string>

#include "config/gateway_config.h"
#include "medgate/sdk/status.h"

namespace medgate::admin {

// Binds and listens on `listen` (HOST:PORT). Throws Poco::Exception with a
// readable message (unreadable certificate, key not matching it, port taken).
Poco::Net::ServerSocket open_listener(const std::string& listen, int backlog, const config::ServerTlsConfig& tls);

// How a listener speaks, for its start-up log line: "", " (TLS)" or
// " (TLS, client certificates required)".
std::string tls_label(const config::ServerTlsConfig& tls);

// For `--check`: the key file's permissions, and that the certificate, key and
// client CA load and belong together. Ok when TLS is off.
sdk::Status check_server_tls(const config::ServerTlsConfig& tls, std::string_view section);

}  // namespace medgate::admin
