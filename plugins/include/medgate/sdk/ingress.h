// HTTP ingress (SDK 1.3). The host runs one HTTP server for every source that
// receives over HTTP (the demo's is 127.0.0.1:8581: FHIR at /fhir, WeChat
// callbacks at /wechat/..., SMS callbacks at /sms/...). A source mounts a
// handler on a path prefix for as long as it runs:
//
//   Status MySource::run(SourceContext& ctx) {
//     HttpIngress* ingress = http_ingress(ctx);
//     if (!ingress) return Status::Precondition("this host has no HTTP ingress");
//     if (Status s = ingress->mount("/fhir", [&](const HttpRequest& r) { return handle(r, ctx); }); !s.ok())
//       return s;
//     while (!ctx.wait_for_stop(std::chrono::seconds(1))) {}
//     ingress->unmount("/fhir");
//     return Status::Ok();
//   }
//
// The handler runs on the server's threads, several at once; it may call
// ctx.emit() and ctx.quarantine() and must answer only after emit() returned
// (2xx only when the records are durable). The host catches exceptions from
// it (answering 500), refuses bodies over ingress.max_body_bytes with 413
// before calling it, and unmounts whatever a source left mounted when it
// stops. unmount() waits for calls in progress, so after it returns no
// handler code runs.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "medgate/sdk/plugin.h"
#include "medgate/sdk/status.h"

namespace medgate::sdk {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path, e.g. "/fhir/Patient/123"
  std::string query;   // raw query string after '?', e.g. "_format=json"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;  // "127.0.0.1:50412"

  // The first header named `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Location, Retry-After
  std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class MEDGATE_SDK_API HttpIngress {
 public:
  virtual ~HttpIngress();
  // Routes requests whose path is `prefix` or starts with `prefix` + "/" to
  // `handler`. `prefix` starts with "/" and has no trailing "/". Fails
  // (invalid_argument) when another source holds the prefix.
  virtual Status mount(std::string_view prefix, HttpHandler handler) = 0;
  // Stops routing `prefix`; returns once no call of its handler is running.
  virtual void unmount(std::string_view prefix) = 0;
};

// The host's ingress for this source, or nullptr when the host has none
// (no `ingress:` section in its config, or a host older than SDK 1.3).
HttpIngress* http_ingress(PluginContext& ctx);

}  // namespace medgate::sdk
