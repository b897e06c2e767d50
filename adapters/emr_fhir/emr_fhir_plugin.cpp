// The bundled `emr_fhir` plugin: FHIR R4 from the EMR (a source on the host's
// HTTP ingress). Options are declared once, in EmrFhirOptions.
#include <medgate/sdk/export.h>
#include <medgate/sdk/plugin.h>

#include "emr_fhir_source.h"

namespace {
using namespace medgate::sdk;
using medgate::emr_fhir::EmrFhirOptions;
using medgate::emr_fhir::EmrFhirSource;

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "emr_fhir";
  d.version = "1.0.0";
  d.description = "FHIR R4 (EMR, regional platforms): resources and Bundles pushed to the HTTP ingress, mapped "
                  "into profile records; answers after durable commit";
  d.source = std::make_unique<KindSpec<Source>>();
  d.source->options = EmrFhirOptions::declare();
  d.source->validate = &EmrFhirOptions::validate;
  d.source->create = [](const PluginConfig& c) { return std::make_unique<EmrFhirSource>(EmrFhirOptions::from(c)); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
