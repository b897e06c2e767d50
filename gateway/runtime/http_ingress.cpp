#include "runtime/http_ingress.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>
#include <sys/socket.h>

#include <algorithm>

#include "admin/bearer_token.h"
#include "admin/server_tls.h"
#include "medgate/sdk/json.h"
#include "runtime/log.h"

namespace medgate::runtime {
namespace {
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

sdk::HttpResponse error_response(int status, const std::string& message) {
  sdk::Value doc = sdk::Value::object();
  doc["error"] = message;
  return {status, "application/json", {}, sdk::to_json(doc) + "\n"};
}

bool valid_prefix(std::string_view p) {
  if (p.size() < 2 || p.front() != '/' || p.back() == '/' || p.size() > 128) return false;
  for (char c : p)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '_' ||
          c == '-' || c == '.'))
      return false;
  return true;
}

class IngressRequestHandler : public Poco::Net::HTTPRequestHandler {
 public:
  explicit IngressRequestHandler(HttpIngressServer& server) : server_(server) {}

  void handleRequest(HTTPServerRequest& req, HTTPServerResponse& res) override {
    sdk::HttpResponse out;
    try {
      out = read_and_dispatch(req);
    } catch (const std::exception& e) {
      out = error_response(400, std::string("cannot read the request: ") + e.what());
    }
    res.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
    if (!out.content_type.empty()) res.setContentType(out.content_type);
    for (const auto& [k, v] : out.headers) res.set(k, v);
    res.set("Cache-Control", "no-store");
    res.setContentLength(static_cast<std::streamsize>(out.body.size()));
    res.send() << out.body;
  }

 private:
  sdk::HttpResponse read_and_dispatch(HTTPServerRequest& req) {
    if (!server_.authorized(req.get("Authorization", ""))) {
      sdk::HttpResponse denied =
          error_response(401, "this endpoint needs 'Authorization: Bearer TOKEN' with a token from ingress.tokens");
      denied.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"medgate-ingress\"");
      return denied;
    }
    sdk::HttpRequest r;
    r.method = req.getMethod();
    Poco::URI uri(req.getURI());
    r.path = uri.getPath();
    r.query = uri.getRawQuery();
    r.remote_address = req.clientAddress().toString();
    for (const auto& [k, v] : req) r.headers.emplace_back(k, v);
    const std::uint64_t limit = server_.max_body_bytes();
    if (req.hasContentLength() && static_cast<std::uint64_t>(req.getContentLength64()) > limit)
      return error_response(413, "request body of " + std::to_string(req.getContentLength64()) +
                                     " bytes exceeds ingress.max_body_bytes (" + std::to_string(limit) + ")");
    char buf[16384];
    auto& in = req.stream();
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      r.body.append(buf, static_cast<std::size_t>(in.gcount()));
      if (r.body.size() > limit)
        return error_response(413, "request body exceeds ingress.max_body_bytes (" + std::to_string(limit) + ")");
    }
    return server_.dispatch(r);
  }

  HttpIngressServer& server_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit Factory(HttpIngressServer& server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
    return new IngressRequestHandler(server_);
  }

 private:
  HttpIngressServer& server_;
};
}  // namespace

HttpIngressServer::HttpIngressServer(config::IngressConfig config) : config_(std::move(config)) {}

HttpIngressServer::~HttpIngressServer() { stop(); }

bool HttpIngressServer::authorized(std::string_view authorization) const {
  return tokens_.empty() || admin::match_bearer(tokens_, authorization) != std::string::npos;
}

sdk::Status HttpIngressServer::start() {
  tokens_.clear();
  for (const auto& t : config_.tokens) {
    std::string token;
    if (sdk::Status s = admin::read_bearer_token(t.file, "ingress token file", token); !s.ok()) return s;
    tokens_.push_back(std::move(token));
  }
  try {
    // The kernel's longest backlog: a burst of pushes waits there rather
    // than having handshakes dropped (each retried 1 s later).
    Poco::Net::ServerSocket socket = admin::open_listener(config_.listen, SOMAXCONN, config_.tls);
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(config_.threads);
    params->setMaxQueued(256);
    params->setTimeout(Poco::Timespan(30, 0));
    params->setKeepAlive(true);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
  } catch (const Poco::Exception& e) {
    return sdk::Status::Unavailable("HTTP ingress cannot listen on " + config_.listen + ": " + e.displayText());
  }
  return sdk::Status::Ok();
}

void HttpIngressServer::stop() {
  if (!server_) return;
  server_->stopAll(true);  // closes connections too: no request is served after this
  server_.reset();
}

sdk::Status HttpIngressServer::mount(const std::string& owner, std::string_view prefix, sdk::HttpHandler handler) {
  if (!valid_prefix(prefix))
    return sdk::Status::Invalid("ingress path '" + std::string(prefix.substr(0, 128)) +
                                "' must start with '/', not end with '/', and hold only letters, digits, / _ - .");
  if (!handler) return sdk::Status::Invalid("ingress path " + std::string(prefix) + ": no handler");
  std::lock_guard lock(mu_);
  if (auto it = routes_.find(prefix); it != routes_.end())
    return sdk::Status::Invalid("ingress path " + std::string(prefix) + " is already mounted by source '" +
                                it->second->owner + "'");
  auto route = std::make_shared<Route>();
  route->owner = owner;
  route->handler = std::move(handler);
  routes_.emplace(std::string(prefix), std::move(route));
  return sdk::Status::Ok();
}

void HttpIngressServer::unmount_locked(std::unique_lock<std::mutex>& lock, const std::string& prefix) {
  auto it = routes_.find(prefix);
  if (it == routes_.end()) return;
  std::shared_ptr<Route> route = it->second;
  routes_.erase(it);
  route->closing = true;
  idle_.wait(lock, [&] { return route->in_flight == 0; });
  route->handler = nullptr;  // the plugin's code may be unloaded after this
}

void HttpIngressServer::unmount(std::string_view prefix) {
  std::unique_lock lock(mu_);
  unmount_locked(lock, std::string(prefix));
}

void HttpIngressServer::unmount_all(const std::string& owner) {
  std::unique_lock lock(mu_);
  for (;;) {
    auto it = std::find_if(routes_.begin(), routes_.end(), [&](const auto& r) { return r.second->owner == owner; });
    if (it == routes_.end()) return;
    std::string prefix = it->first;
    unmount_locked(lock, prefix);
  }
}

sdk::HttpResponse HttpIngressServer::dispatch(const sdk::HttpRequest& request) {
  std::shared_ptr<Route> route;
  std::string mounted;
  {
    std::lock_guard lock(mu_);
    // The longest mounted prefix that is the path or a directory of it.
    for (const auto& [prefix, r] : routes_) {
      const std::string& p = request.path;
      bool match = p == prefix || (p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
                                   p[prefix.size()] == '/');
      if (match && prefix.size() > mounted.size()) {
        route = r;
        mounted = prefix;
      }
    }
    if (!route || route->closing) return error_response(404, "no source serves " + request.path.substr(0, 200));
    ++route->in_flight;
  }
  sdk::HttpResponse response;
  try {
    response = route->handler(request);
  } catch (const std::exception& e) {
    // The path may carry resource ids: log the mounted prefix only.
    log(sdk::LogLevel::error, "ingress",
        "source '" + route->owner + "' failed on " + request.method + " " + mounted + "/...: " + e.what());
    response = error_response(500, "the source failed on this request; see medgated's log");
  } catch (...) {
    response = error_response(500, "the source failed on this request; see medgated's log");
  }
  {
    std::lock_guard lock(mu_);
    --route->in_flight;
  }
  idle_.notify_all();
  return response;
}

}  // namespace medgate::runtime
