#include "ctl/admin_client.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>

#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <cstdlib>
#include <memory>
#include <unistd.h>

#include "config/diagnostics.h"
#include "config/gateway_config.h"
#include "medgate/sdk/secrets.h"

namespace medgate::ctl {
namespace {
// The admin section does not depend on plugins: read the config against an
// empty catalog and ignore problems elsewhere in it.
class NoPlugins : public config::PluginCatalog {
 public:
  const sdk::OptionList* source_options(const std::string&) const override { return nullptr; }
  const sdk::OptionList* target_options(const std::string&) const override { return nullptr; }
  std::vector<std::string> plugin_names() const override { return {}; }
  sdk::Status validate_source(const std::string&, const sdk::PluginConfig&) const override { return sdk::Status::Ok(); }
  sdk::Status validate_target(const std::string&, const sdk::PluginConfig&) const override { return sdk::Status::Ok(); }
};
// Trusts `ca_file` (which may hold the server's own certificate: a partial
// chain ending there is accepted) and the system CAs; TLS 1.2 or later.
Poco::Net::Context::Ptr client_context(const std::string& ca_file) {
  Poco::Net::Context::Params params;
  params.caLocation = ca_file;
  params.loadDefaultCAs = true;
  params.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  X509_STORE_set_flags(SSL_CTX_get_cert_store(context->sslContext()), X509_V_FLAG_PARTIAL_CHAIN);
  return context;
}
}  // namespace

sdk::Status find_admin_endpoint(const std::string& config_path, const std::string& token_file, AdminEndpoint& out) {
  config::Diagnostics diags;
  auto doc = config::parse_config_file(config_path, diags);
  if (!doc) return sdk::Status::Invalid("cannot read " + config_path + " (run medgated --check --config " + config_path + ")");
  NoPlugins none;
  config::GatewayConfig cfg = config::build_config(*doc, none, diags);
  if (!cfg.admin.enabled) return sdk::Status::Precondition("the admin API is disabled in " + config_path + " (admin.enabled)");
  out.listen = cfg.admin.listen;
  out.tls = cfg.admin.tls.enabled();
  if (out.tls) {
    const char* ca = std::getenv("MEDGATE_CA_FILE");
    out.ca_file = ca && *ca ? ca : cfg.admin.tls.cert_file;
  }

  std::string file = token_file;
  if (file.empty())
    if (const char* env = std::getenv("MEDGATE_TOKEN_FILE")) file = env;
  if (!file.empty()) return sdk::read_secret_file(file, out.token, "admin token file", 4096);
  for (const auto& t : cfg.admin.tokens)
    if (::access(t.file.c_str(), R_OK) == 0 && sdk::read_secret_file(t.file, out.token, "admin token file", 4096).ok())
      return sdk::Status::Ok();
  return sdk::Status::Precondition("no readable admin token: give --token-file FILE or set MEDGATE_TOKEN_FILE "
                                   "(the files under admin.tokens in " + config_path + " are not readable by this user)");
}

sdk::Status admin_request(const AdminEndpoint& ep, const std::string& method, const std::string& path,
                          const std::string& body, AdminResponse& out, std::chrono::seconds timeout,
                          const std::function<void(const std::string&)>& on_line) {
  try {
    Poco::Net::SocketAddress addr(ep.listen);
    std::string host = addr.host().toString();
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    std::unique_ptr<Poco::Net::HTTPClientSession> connection =
        ep.tls ? std::make_unique<Poco::Net::HTTPSClientSession>(host, addr.port(), client_context(ep.ca_file))
               : std::make_unique<Poco::Net::HTTPClientSession>(host, addr.port());
    Poco::Net::HTTPClientSession& session = *connection;
    session.setTimeout(Poco::Timespan(static_cast<long>(timeout.count()), 0));
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + ep.token);
    if (!body.empty()) req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse res;
    std::istream& in = session.receiveResponse(res);
    out.status = static_cast<int>(res.getStatus());
    out.body.clear();
    if (on_line) {
      for (std::string line; std::getline(in, line);) {
        on_line(line);
        out.body += line + "\n";
      }
    } else {
      Poco::StreamCopier::copyToString(in, out.body);
    }
    return sdk::Status::Ok();
  } catch (const Poco::Exception& e) {
    return sdk::Status::Unavailable("cannot reach medgated's admin API at " + std::string(ep.tls ? "https://" : "") +
                                    ep.listen + ": " + e.displayText() +
                                    (ep.tls ? " (is medgated running? does " + ep.ca_file +
                                                  " vouch for its certificate? set MEDGATE_CA_FILE to the CA that issued it)"
                                            : " (is medgated running?)"));
  }
}

}  // namespace medgate::ctl
