// The bundled `http` plugin: a target that POSTs signed JSON batches to an
// http(s) endpoint. Options are declared once, in HttpTargetOptions.
#include <medgate/sdk/export.h>
#include <medgate/sdk/plugin.h>

#include "http_target.h"
#include "http_target_options.h"

namespace {
using namespace medgate::sdk;
using medgate::http_adapter::HttpTarget;
using medgate::http_adapter::HttpTargetOptions;

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "http";
  d.version = medgate::http_adapter::kPluginVersion;
  d.description = "HTTP(S) target: POSTs JSON batches signed with HMAC-SHA256";
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = HttpTargetOptions::declare();
  d.target->validate = &HttpTargetOptions::validate;
  d.target->create = [](const PluginConfig& c) { return std::make_unique<HttpTarget>(HttpTargetOptions::from(c)); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
