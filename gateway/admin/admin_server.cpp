#include "admin/admin_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <openssl/crypto.h>

#include <set>

#include "medgate/sdk/json.h"
#include "medgate/sdk/secrets.h"

namespace medgate::admin {
namespace {
using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

constexpr std::size_t kMinTokenLength = 16;

void send(HTTPServerResponse& res, HTTPResponse::HTTPStatus status, const std::string& content_type,
          const std::string& body) {
  res.setStatus(status);
  res.setContentType(content_type);
  res.set("Cache-Control", "no-store");
  res.setContentLength(static_cast<std::streamsize>(body.size()));
  res.send() << body;
}

void send_json(HTTPServerResponse& res, HTTPResponse::HTTPStatus status, const sdk::Value& doc) {
  send(res, status, "application/json", sdk::to_json(doc) + "\n");
}

void send_error(HTTPServerResponse& res, HTTPResponse::HTTPStatus status, const std::string& message) {
  sdk::Value doc = sdk::Value::object();
  doc["error"] = message;
  send_json(res, status, doc);
}

bool role_allows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

class Router : public HTTPRequestHandler {
 public:
  Router(AdminView& view, const std::vector<BearerToken>& tokens) : view_(view), tokens_(tokens) {}

  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override {
    try {
      route(req, res);
    } catch (const std::exception& e) {
      // Never data in these messages: views return counts and names only.
      if (!res.sent()) send_error(res, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, e.what());
    }
  }

 private:
  void route(HTTPServerRequest& req, HTTPServerResponse& res) {
    std::string path = req.getURI();
    if (auto q = path.find('?'); q != std::string::npos) path.resize(q);
    const std::string& method = req.getMethod();

    if (path == "/healthz" || path == "/readyz" || path == "/metrics") {
      if (method != "GET" && method != "HEAD") return method_not_allowed(res, "GET");
      if (path == "/healthz") return send(res, HTTPResponse::HTTP_OK, "text/plain", "ok\n");
      if (path == "/readyz") {
        bool ready = view_.ready();
        return send(res, ready ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "text/plain",
                    ready ? "ready\n" : "not ready\n");
      }
      PrometheusText text;
      view_.write_metrics(text);
      return send(res, HTTPResponse::HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text.text());
    }

    if (path == "/api" || path.starts_with("/api/")) {
      const BearerToken* who = authenticate(tokens_, req.get("Authorization", ""));
      if (!who) {
        res.set("WWW-Authenticate", "Bearer realm=\"medgate\"");
        return send_error(res, HTTPResponse::HTTP_UNAUTHORIZED,
                          "this endpoint needs 'Authorization: Bearer TOKEN' with a token from admin.tokens");
      }
      if (path == "/api/v1/status" || path == "/api/v1/plugins" || path == "/api/v1/routes") {
        if (method != "GET") return method_not_allowed(res, "GET");
        if (!role_allows(who->role, Role::auditor)) return forbidden(res);
        if (path == "/api/v1/status") return send_json(res, HTTPResponse::HTTP_OK, view_.status());
        if (path == "/api/v1/plugins") return send_json(res, HTTPResponse::HTTP_OK, view_.plugins());
        return send_json(res, HTTPResponse::HTTP_OK, view_.routes());
      }
    }
    send_error(res, HTTPResponse::HTTP_NOT_FOUND, "no such endpoint: " + method + " " + path);
  }

  static void method_not_allowed(HTTPServerResponse& res, const char* allow) {
    res.set("Allow", allow);
    send_error(res, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, std::string("method not allowed; use ") + allow);
  }
  static void forbidden(HTTPServerResponse& res) {
    send_error(res, HTTPResponse::HTTP_FORBIDDEN, "this token's role may not do that");
  }

  AdminView& view_;
  const std::vector<BearerToken>& tokens_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(AdminView& view, const std::vector<BearerToken>& tokens) : view_(view), tokens_(tokens) {}
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Router(view_, tokens_); }

 private:
  AdminView& view_;
  const std::vector<BearerToken>& tokens_;
};

}  // namespace

sdk::Status load_tokens(const std::vector<config::AdminTokenConfig>& configs, std::vector<BearerToken>& out) {
  out.clear();
  std::set<std::string> seen;
  for (const auto& c : configs) {
    BearerToken t;
    if (sdk::Status s = sdk::read_secret_file(c.file, t.token, "admin token file", 4096); !s.ok()) return s;
    if (t.token.size() < kMinTokenLength || t.token.find_first_of(" \t\r\n") != std::string::npos)
      return sdk::Status::Invalid("admin token file " + c.file + " must hold one token of at least " +
                                  std::to_string(kMinTokenLength) +
                                  " characters without spaces (make one with `openssl rand -hex 32`)");
    if (!seen.insert(t.token).second)
      return sdk::Status::Invalid("admin token file " + c.file + " holds a token another admin.tokens entry uses");
    t.role = c.role == "admin" ? Role::admin : c.role == "operator" ? Role::operator_ : Role::auditor;
    out.push_back(std::move(t));
  }
  return sdk::Status::Ok();
}

const BearerToken* authenticate(const std::vector<BearerToken>& tokens, const std::string& authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return nullptr;
  for (std::size_t i = 0; i < kScheme.size(); ++i)  // the scheme is case-insensitive (RFC 9110 11.1)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return nullptr;
  std::string_view given = std::string_view(authorization).substr(kScheme.size());
  const BearerToken* match = nullptr;
  for (const auto& t : tokens)  // compare with every token, in constant time per token
    if (t.token.size() == given.size() && CRYPTO_memcmp(t.token.data(), given.data(), given.size()) == 0)
      match = &t;
  return match;
}

AdminServer::AdminServer(config::AdminConfig config, AdminView& view) : config_(std::move(config)), view_(view) {}

AdminServer::~AdminServer() { stop(); }

sdk::Status AdminServer::start() {
  if (sdk::Status s = load_tokens(config_.tokens, tokens_); !s.ok()) return s;
  try {
    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress(config_.listen), true);
    socket.listen(64);
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    params->setMaxQueued(64);
    params->setTimeout(Poco::Timespan(10, 0));
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(view_, tokens_), socket, params);
    server_->start();
  } catch (const Poco::Exception& e) {
    return sdk::Status::Unavailable("admin API cannot listen on " + config_.listen + ": " + e.displayText());
  }
  return sdk::Status::Ok();
}

void AdminServer::stop() {
  if (server_) {
    server_->stopAll(true);
    server_.reset();
  }
}

std::uint16_t AdminServer::port() const { return port_; }

}  // namespace medgate::admin
