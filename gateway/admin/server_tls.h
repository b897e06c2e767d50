// Listening sockets for the servers medgated runs itself (admin API, HTTP
// ingress): plain TCP, or TLS 1.2+ through POCO NetSSL when the section's
// `tls:` names a certificate. With a client CA (ingress only) every caller
// must present a certificate that CA issued (mutual TLS). The MLLP source
// builds its own listener in its plugin.
#pragma once

#include <Poco/Net/ServerSocket.h>

#include <string>

#include "admin/server_certificate.h"
#include "config/gateway_config.h"
#include "medgate/sdk/status.h"

namespace medgate::admin {

// Binds and listens on `listen` (HOST:PORT). Throws Poco::Exception with a
// readable message (unreadable certificate, key not matching it, port taken).
// With TLS and a `renewable` certificate (loaded from the same files), each
// handshake presents what `renewable` holds at that moment, so replacing it
// renews the listener's certificate without closing it; `renewable` must
// outlive the listener and every connection it accepts.
Poco::Net::ServerSocket open_listener(const std::string& listen, int backlog, const config::ServerTlsConfig& tls,
                                      ServerCertificate* renewable = nullptr);

// How a listener speaks, for its start-up log line: "", " (TLS)" or
// " (TLS, client certificates required)".
std::string tls_label(const config::ServerTlsConfig& tls);

// For `--check`: the key file's permissions, and that the certificate, key and
// client CA load and belong together. Ok when TLS is off.
sdk::Status check_server_tls(const config::ServerTlsConfig& tls, std::string_view section);

}  // namespace medgate::admin
