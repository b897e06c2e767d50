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

#include <chrono>
#include <set>

#include "admin/bearer_token.h"
#include "admin/server_tls.h"
#include "medgate/sdk/json.h"
#include "medgate/sdk/secrets.h"

namespace medgate::admin {
namespace {
using Poco::Net::HTTPRequestHandler;
using Poco::Net::HTTPResponse;
using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;


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

constexpr std::size_t kMaxRequestBody = 1 << 20;
constexpr std::size_t kDefaultPage = 50, kMaxPage = 1000;
constexpr int kMaxRequestsPerConnection = 100;  // see start()

// Reads a JSON object body (empty body: empty object); false after answering 400/413.
bool read_json_body(HTTPServerRequest& req, HTTPServerResponse& res, sdk::Value& out) {
  std::string body;
  char buf[8192];
  auto& in = req.stream();
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    body.append(buf, static_cast<std::size_t>(in.gcount()));
    if (body.size() > kMaxRequestBody) {
      send_error(res, HTTPResponse::HTTP_REQUEST_ENTITY_TOO_LARGE, "request body over 1 MiB");
      return false;
    }
  }
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) {
    out = sdk::Value::object();
    return true;
  }
  if (sdk::Status s = sdk::parse_json(body, out); !s.ok() || !out.is_object()) {
    send_error(res, HTTPResponse::HTTP_BAD_REQUEST,
               "the body must be a JSON object" + (s.ok() ? std::string() : ": " + s.message()));
    return false;
  }
  return true;
}

// {"keys": ["...", ...]} into `keys`; false after answering 400.
bool read_keys(const sdk::Value& body, HTTPServerResponse& res, std::vector<std::string>& keys) {
  const sdk::Value* k = body.find("keys");
  if (!k) return true;
  bool ok = k->is_array();
  if (ok)
    for (const auto& v : k->as_array()) {
      if (!v.is_string() || v.as_string().empty()) ok = false;
      else keys.push_back(v.as_string());
    }
  if (!ok) send_error(res, HTTPResponse::HTTP_BAD_REQUEST, "\"keys\" must be an array of idempotency keys");
  return ok;
}

// {"all": true} in a drop request's body.
bool all_requested(const sdk::Value& body) {
  const sdk::Value* all = body.find("all");
  return all && all->is_bool() && all->as_bool();
}

// A non-negative integer query parameter, or `fallback`; false after answering 400.
bool query_number(const std::string& query, const std::string& name, std::size_t fallback, std::size_t& out,
                  HTTPServerResponse& res) {
  out = fallback;
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    std::string part = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    if (part.rfind(name + "=", 0) == 0) {
      std::string v = part.substr(name.size() + 1);
      if (v.empty() || v.size() > 12 || v.find_first_not_of("0123456789") != std::string::npos) {
        send_error(res, HTTPResponse::HTTP_BAD_REQUEST, name + " must be a whole number");
        return false;
      }
      out = static_cast<std::size_t>(std::stoull(v));
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return true;
}

class Router : public HTTPRequestHandler {
 public:
  Router(AdminView& view, const TokenTable& tokens) : view_(view), tokens_(tokens.current()) {}

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
    std::string path = req.getURI(), query;
    if (auto q = path.find('?'); q != std::string::npos) {
      query = path.substr(q + 1);
      path.resize(q);
    }
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
      const BearerToken* who = authenticate(*tokens_, req.get("Authorization", ""));
      if (!who) {
        res.set("WWW-Authenticate", "Bearer realm=\"medgate\"");
        return send_error(res, HTTPResponse::HTTP_UNAUTHORIZED,
                          "this endpoint needs 'Authorization: Bearer TOKEN' with a token from admin.tokens");
      }
      if (path == "/api/v1/status" || path == "/api/v1/plugins" || path == "/api/v1/routes" ||
          path == "/api/v1/dlq") {
        if (method != "GET") return method_not_allowed(res, "GET");
        if (path == "/api/v1/status") return send_json(res, HTTPResponse::HTTP_OK, view_.status());
        if (path == "/api/v1/plugins") return send_json(res, HTTPResponse::HTTP_OK, view_.plugins());
        if (path == "/api/v1/dlq") return send_json(res, HTTPResponse::HTTP_OK, view_.dlq_summary());
        return send_json(res, HTTPResponse::HTTP_OK, view_.routes());
      }
      if (path == "/api/v1/reload") {
        if (method != "POST") return method_not_allowed(res, "POST");
        if (!role_allows(who->role, Role::operator_)) return forbidden(res);
        return reload(res);
      }
      if (path.starts_with("/api/v1/dlq/")) return dead_letters(req, res, path.substr(12), query, *who);
      if (path == "/api/v1/quarantine") {
        if (method != "GET") return method_not_allowed(res, "GET");
        return send_json(res, HTTPResponse::HTTP_OK, view_.quarantine_summary());
      }
      if (path.starts_with("/api/v1/quarantine/")) return quarantine(req, res, path.substr(19), query, *who);
    }
    send_error(res, HTTPResponse::HTTP_NOT_FOUND, "no such endpoint: " + method + " " + path);
  }

  void reload(HTTPServerResponse& res) {
    ReloadReport r = view_.reload();
    sdk::Value doc = sdk::Value::object();
    doc["applied"] = r.applied;
    doc["message"] = r.message;
    sdk::Value::Array problems;
    for (auto& p : r.problems) problems.emplace_back(std::move(p));
    doc["problems"] = sdk::Value(std::move(problems));
    // 422: the new config is not acceptable; the running one stays.
    send_json(res, r.applied ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_UNPROCESSABLE_ENTITY, doc);
  }

  // /api/v1/quarantine/SOURCE (any role: times, reasons and sizes only),
  // /api/v1/quarantine/SOURCE/N (admin only: the input in clear, audited) and
  // POST /api/v1/quarantine/SOURCE/drop (operator or admin; audited).
  void quarantine(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& rest, const std::string& query,
                  const BearerToken& who) {
    const auto slash = rest.find('/');
    const std::string source = rest.substr(0, slash);
    const std::string n = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (!source.empty() && n == "drop") return quarantine_drop(req, res, source, who);
    if (req.getMethod() != "GET") return method_not_allowed(res, "GET");
    if (source.empty() || (slash != std::string::npos &&
                           (n.empty() || n.size() > 12 || n.find_first_not_of("0123456789") != std::string::npos)))
      return send_error(res, HTTPResponse::HTTP_NOT_FOUND, "no such endpoint: GET /api/v1/quarantine/" + rest);
    sdk::Value doc;
    sdk::Status s;
    if (n.empty()) {
      std::size_t offset = 0, limit = 0;
      if (!query_number(query, "offset", 0, offset, res) || !query_number(query, "limit", kDefaultPage, limit, res))
        return;
      s = view_.quarantine_entries(source, offset, std::min(limit, kMaxPage), doc);
    } else {
      // Quarantined input is raw personal data: admins only, and every read is audited.
      if (!role_allows(who.role, Role::admin)) return forbidden(res);
      s = view_.quarantine_open(source, static_cast<std::size_t>(std::stoull(n)), "admin", doc);
    }
    send_view_result(res, s, doc);
  }

  // {"entries":[N,...]} or {"all":true}: removes those quarantined inputs.
  void quarantine_drop(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& source,
                       const BearerToken& who) {
    if (req.getMethod() != "POST") return method_not_allowed(res, "POST");
    if (!role_allows(who.role, Role::operator_)) return forbidden(res);
    sdk::Value body;
    if (!read_json_body(req, res, body)) return;
    std::vector<std::size_t> entries;
    if (const sdk::Value* e = body.find("entries")) {
      bool ok = e->is_array() && !e->as_array().empty();
      if (ok)
        for (const auto& v : e->as_array()) {
          if (!v.is_int() || v.as_int() < 1) ok = false;
          else entries.push_back(static_cast<std::size_t>(v.as_int()));
        }
      if (!ok)
        return send_error(res, HTTPResponse::HTTP_BAD_REQUEST,
                          "\"entries\" must be a non-empty array of entry numbers (1, 2, ... as listed)");
    }
    if (all_requested(body) == !entries.empty())
      return send_error(res, HTTPResponse::HTTP_BAD_REQUEST,
                        "say which quarantined inputs to drop: {\"entries\":[N,...]} or {\"all\":true}, not both");
    sdk::Value doc;
    sdk::Status s = view_.quarantine_drop(source, entries, who.role == Role::admin ? "admin" : "operator", doc);
    send_view_result(res, s, doc);
  }

  // invalid_argument (no such source or entry): 404; any other failure: 503.
  static void send_view_result(HTTPServerResponse& res, const sdk::Status& s, const sdk::Value& doc) {
    if (s.code() == sdk::StatusCode::invalid_argument) return send_error(res, HTTPResponse::HTTP_NOT_FOUND, s.message());
    if (!s.ok()) return send_error(res, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, s.message());
    send_json(res, HTTPResponse::HTTP_OK, doc);
  }

  // /api/v1/dlq/TARGET, /api/v1/dlq/TARGET/replay, /api/v1/dlq/TARGET/drop
  void dead_letters(HTTPServerRequest& req, HTTPServerResponse& res, const std::string& rest,
                    const std::string& query, const BearerToken& who) {
    const auto slash = rest.find('/');
    const std::string target = rest.substr(0, slash);
    const std::string action = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (target.empty() || (action != "" && action != "replay" && action != "drop"))
      return send_error(res, HTTPResponse::HTTP_NOT_FOUND, "no such endpoint: " + req.getMethod() + " /api/v1/dlq/" + rest);
    if (!role_allows(who.role, Role::operator_)) return forbidden(res);
    if (!has_target(target))
      return send_error(res, HTTPResponse::HTTP_NOT_FOUND, "no target named '" + target + "' in the running config");

    if (action.empty()) {
      if (req.getMethod() != "GET") return method_not_allowed(res, "GET");
      std::size_t offset = 0, limit = 0;
      if (!query_number(query, "offset", 0, offset, res) || !query_number(query, "limit", kDefaultPage, limit, res))
        return;
      sdk::Value doc;
      if (sdk::Status s = view_.dlq_entries(target, offset, std::min(limit, kMaxPage), doc); !s.ok())
        return send_error(res, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, s.message());
      return send_json(res, HTTPResponse::HTTP_OK, doc);
    }
    if (req.getMethod() != "POST") return method_not_allowed(res, "POST");
    sdk::Value body;
    DeadLetterSelection which{target, {}, who.role == Role::admin ? "admin" : "operator"};
    if (!read_json_body(req, res, body) || !read_keys(body, res, which.keys)) return;

    if (action == "drop") {
      if (all_requested(body) == !which.keys.empty())
        return send_error(res, HTTPResponse::HTTP_BAD_REQUEST,
                          "say which dead letters to drop: {\"keys\":[...]} or {\"all\":true}, not both");
      std::uint64_t dropped = 0;
      sdk::Status s = view_.dlq_drop(which, dropped);
      sdk::Value doc = sdk::Value::object();
      doc["dropped"] = static_cast<std::int64_t>(dropped);
      if (!s.ok()) doc["error"] = s.message();
      // As quarantine drop: a failure (the audit log cannot record the drop,
      // or the dead letters cannot be rewritten) removed nothing; try again later.
      return send_json(res, s.ok() ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_SERVICE_UNAVAILABLE, doc);
    }

    // Replay streams NDJSON: {"done":N,"total":M} lines as it goes, then
    // {"replayed":N} or {"replayed":N,"error":"..."} as the last line.
    res.setStatus(HTTPResponse::HTTP_OK);
    res.setContentType("application/x-ndjson");
    res.set("Cache-Control", "no-store");
    res.setChunkedTransferEncoding(true);
    std::ostream& out = res.send();
    auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    auto progress = [&](std::uint64_t done, std::uint64_t total) {
      auto now = std::chrono::steady_clock::now();
      if (done != total && now - last < std::chrono::milliseconds(250)) return;
      last = now;
      sdk::Value p = sdk::Value::object();
      p["done"] = static_cast<std::int64_t>(done);
      p["total"] = static_cast<std::int64_t>(total);
      out << sdk::to_json(p) << "\n" << std::flush;
    };
    std::uint64_t replayed = 0;
    sdk::Status s = view_.dlq_replay(which, progress, replayed);
    sdk::Value end = sdk::Value::object();
    end["replayed"] = static_cast<std::int64_t>(replayed);
    if (!s.ok()) end["error"] = s.message();
    out << sdk::to_json(end) << "\n" << std::flush;
  }

  bool has_target(const std::string& name) const {
    sdk::Value summary = view_.dlq_summary();
    if (const sdk::Value* targets = summary.find("targets"))
      for (const auto& t : targets->as_array())
        if (const sdk::Value* n = t.find("target"); n && n->is_string() && n->as_string() == name) return true;
    return false;
  }

  static void method_not_allowed(HTTPServerResponse& res, const char* allow) {
    res.set("Allow", allow);
    send_error(res, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, std::string("method not allowed; use ") + allow);
  }
  static void forbidden(HTTPServerResponse& res) {
    send_error(res, HTTPResponse::HTTP_FORBIDDEN, "this token's role may not do that");
  }

  AdminView& view_;
  std::shared_ptr<const std::vector<BearerToken>> tokens_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(AdminView& view, const TokenTable& tokens) : view_(view), tokens_(tokens) {}
  HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override { return new Router(view_, tokens_); }

 private:
  AdminView& view_;
  const TokenTable& tokens_;
};

}  // namespace

sdk::Status load_tokens(const std::vector<config::AdminTokenConfig>& configs, std::vector<BearerToken>& out) {
  out.clear();
  std::set<std::string> seen;
  for (const auto& c : configs) {
    BearerToken t;
    if (sdk::Status s = read_bearer_token(c.file, "admin token file", t.token); !s.ok()) return s;
    if (!seen.insert(t.token).second)
      return sdk::Status::Invalid("admin token file " + c.file + " holds a token another admin.tokens entry uses");
    t.role = c.role == "admin" ? Role::admin : c.role == "operator" ? Role::operator_ : Role::auditor;
    out.push_back(std::move(t));
  }
  return sdk::Status::Ok();
}

const BearerToken* authenticate(const std::vector<BearerToken>& tokens, const std::string& authorization) {
  std::vector<std::string> values;
  values.reserve(tokens.size());
  for (const auto& t : tokens) values.push_back(t.token);
  const std::size_t i = match_bearer(values, authorization);
  return i == std::string::npos ? nullptr : &tokens[i];
}

AdminServer::AdminServer(config::AdminConfig config, AdminView& view) : config_(std::move(config)), view_(view) {}

AdminServer::~AdminServer() { stop(); }

sdk::Status AdminServer::start() {
  if (sdk::Status s = reload_tokens(config_.tokens); !s.ok()) return s;
  if (config_.tls.enabled()) {
    certificate_ = std::make_unique<ServerCertificate>();
    if (sdk::Status s = certificate_->replace(config_.tls.cert_file, config_.tls.key_file); !s.ok())
      return sdk::Status::Unavailable("admin API: " + s.message());
  }
  try {
    Poco::Net::ServerSocket socket = open_listener(config_.listen, 64, config_.tls, certificate_.get());
    port_ = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(4);
    params->setMaxQueued(64);
    params->setTimeout(Poco::Timespan(10, 0));
    params->setKeepAlive(true);
    // A connection ends after this many requests (or 10 s idle, POCO's
    // default), so a client scraping more often than that still meets a
    // renewed certificate within a bounded time.
    params->setMaxKeepAliveRequests(kMaxRequestsPerConnection);
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

sdk::Status AdminServer::reload_tokens(const std::vector<config::AdminTokenConfig>& configs) {
  std::vector<BearerToken> tokens;
  if (sdk::Status s = load_tokens(configs, tokens); !s.ok()) return s;
  tokens_.replace(std::move(tokens));
  return sdk::Status::Ok();
}

sdk::Status AdminServer::reload_certificate(const config::ServerTlsConfig& tls) {
  if (!certificate_ || !tls.enabled()) return sdk::Status::Ok();
  return certificate_->replace(tls.cert_file, tls.key_file);
}

std::string AdminServer::certificate() const { return certificate_ ? certificate_->describe() : std::string(); }

}  // namespace medgate::admin
