#include "admin/server_tls.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SocketAddress.h>
#include <openssl/ssl.h>

#include "medgate/sdk/secrets.h"

namespace medgate::admin {

namespace {

Poco::Net::Context::Ptr server_context(const config::ServerTlsConfig& tls) {
  Poco::Net::Context::Params params;
  params.certificateFile = tls.cert_file;
  params.privateKeyFile = tls.key_file;
  params.caLocation = tls.client_ca_file;
  params.loadDefaultCAs = false;
  params.verificationMode =
      tls.client_ca_file.empty() ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_STRICT;
  Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params));
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  // POCO loads the key without comparing it with the certificate.
  if (SSL_CTX_check_private_key(context->sslContext()) != 1)
    throw Poco::Net::SSLContextException("the private key " + tls.key_file + " does not belong to the certificate " +
                                         tls.cert_file);
  return context;
}

}  // namespace

Poco::Net::ServerSocket open_listener(const std::string& listen, int backlog, const config::ServerTlsConfig& tls,
                                      ServerCertificate* renewable) {
  Poco::Net::ServerSocket socket;
  if (tls.enabled()) {
    Poco::Net::Context::Ptr context = server_context(tls);
    if (renewable) renewable->attach(context->sslContext());
    socket = Poco::Net::SecureServerSocket(context);
  }
  // SO_REUSEADDR (restart while old connections linger) but not SO_REUSEPORT,
  // which POCO's two-argument bind also sets: with it a second process, or a
  // second server of this one, could bind the same port and take half the calls.
  socket.bind(Poco::Net::SocketAddress(listen), true, false);
  socket.listen(backlog);
  return socket;
}

std::string tls_label(const config::ServerTlsConfig& tls) {
  if (!tls.enabled()) return "";
  return tls.client_ca_file.empty() ? " (TLS)" : " (TLS, client certificates required)";
}

sdk::Status check_server_tls(const config::ServerTlsConfig& tls, std::string_view section) {
  if (!tls.enabled()) return sdk::Status::Ok();
  if (sdk::Status s = sdk::check_secret_file(tls.key_file, std::string(section) + ".tls key file"); !s.ok()) return s;
  try {
    server_context(tls);
  } catch (const Poco::Exception& e) {
    return sdk::Status::Invalid(std::string(section) + ".tls: cannot load the certificate, key or client CA: " +
                                e.displayText());
  }
  return sdk::Status::Ok();
}

}  // namespace medgate::admin
