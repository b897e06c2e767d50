// The HTTP ingress server (config `ingress:`): one POCO HTTP server whose
// paths sources mount through sdk::HttpIngress (their SourceRunner forwards
// here). With ingress.tokens, every request needs one of them as a bearer
// token (401 otherwise, before anything is read or routed). Routes by the
// longest mounted prefix; 404 for anything else; 413 for bodies over
// max_body_bytes; 500 when a handler throws. Each route
// counts calls in progress, so unmounting waits until none runs.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.h"
#include "medgate/sdk/ingress.h"

namespace Poco::Net {
class HTTPServer;
}

namespace medgate::runtime {

class HttpIngressServer {
 public:
  explicit HttpIngressServer(config::IngressConfig config);
  ~HttpIngressServer();

  sdk::Status start();
  void stop();
  std::uint16_t port() const noexcept { return port_; }

  // For a source: `owner` is its name, which the error of a taken prefix names.
  sdk::Status mount(const std::string& owner, std::string_view prefix, sdk::HttpHandler handler);
  void unmount(std::string_view prefix);
  void unmount_all(const std::string& owner);

  // Called by the server for each request (public for the request handler).
  sdk::HttpResponse dispatch(const sdk::HttpRequest& request);
  std::uint64_t max_body_bytes() const noexcept { return config_.max_body_bytes; }
  // Whether an Authorization header value may use the ingress.
  bool authorized(std::string_view authorization) const;

 private:
  struct Route {
    std::string owner;
    sdk::HttpHandler handler;
    int in_flight = 0;
    bool closing = false;
  };
  void unmount_locked(std::unique_lock<std::mutex>& lock, const std::string& prefix);

  config::IngressConfig config_;
  std::vector<std::string> tokens_;  // read at start(); empty: no authentication
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::uint16_t port_ = 0;
  std::mutex mu_;
  std::condition_variable idle_;
  std::map<std::string, std::shared_ptr<Route>, std::less<>> routes_;
};

}  // namespace medgate::runtime
