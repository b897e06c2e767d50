#include "medgate/sdk/ingress.h"

#include <strings.h>

namespace medgate::sdk {

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), name.size()) == 0) return v;
  return {};
}

HttpIngress::~HttpIngress() = default;

// The host's source context implements HttpIngress beside SourceContext (as
// HandleOpener for targets); the key function above keeps the type_info in
// this library, so the cross cast works across the plugin boundary.
HttpIngress* http_ingress(PluginContext& ctx) { return dynamic_cast<HttpIngress*>(&ctx); }

}  // namespace medgate::sdk
