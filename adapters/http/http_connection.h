// One persistent (keep-alive) HTTP/1.1 connection to the target's endpoint,
// plain or TLS. Hides POCO from the rest of the plugin: failures to talk to
// the server come back as a Status, HTTP answers (any code) as a response.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http_target_options.h"
#include "medgate/sdk/status.h"

namespace Poco::Net {
class HTTPClientSession;
class Context;
}  // namespace Poco::Net

namespace medgate::http_adapter {

struct HttpResponse {
  int status = 0;
  std::string reason_phrase;
  std::string body;         // at most kMaxResponseBody bytes, the rest is dropped
  std::string retry_after;  // the Retry-After header, if any
  std::string location;     // the Location header, if any
};

struct TlsSettings {
  std::string ca_file;  // empty: the system's CA store
  bool verify = true;
};

class HttpConnection {
 public:
  static constexpr std::size_t kMaxResponseBody = 64 * 1024;

  HttpConnection(Endpoint endpoint, std::chrono::milliseconds timeout, TlsSettings tls);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Builds the TLS context (https): fails on an unusable ca_file.
  sdk::Status open();

  // POSTs `body` with `headers` (plus Content-Type, Content-Length, Host).
  // Unavailable when the exchange failed (refused, reset, TLS, timeout); a
  // request that failed on a reused connection the server had closed is sent
  // once more on a fresh one.
  sdk::Status post(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                   HttpResponse& out);

  // Drops the connection; the next post() connects again.
  void close();

 private:
  std::unique_ptr<Poco::Net::HTTPClientSession> make_session() const;
  void exchange(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                HttpResponse& out);

  Endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  TlsSettings tls_;
  struct TlsContext;
  std::unique_ptr<TlsContext> tls_context_;
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
};

}  // namespace medgate::http_adapter
