// The bundled `his_hl7` plugin: HL7 v2 over MLLP from the HIS (a source).
// Options are declared once, in HisHl7Options.
#include <medgate/sdk/export.h>
#include <medgate/sdk/plugin.h>

#include "his_hl7_source.h"

namespace {
using namespace medgate::sdk;
using medgate::his_hl7::HisHl7Options;
using medgate::his_hl7::HisHl7Source;

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "his_hl7";
  d.version = "1.0.0";
  d.description = "HL7 v2 over MLLP (HIS): ADT, ORU, DFT and SIU messages mapped into profile records; "
                  "original-mode ACKs after durable commit";
  d.source = std::make_unique<KindSpec<Source>>();
  d.source->options = HisHl7Options::declare();
  d.source->validate = &HisHl7Options::validate;
  d.source->create = [](const PluginConfig& c) { return std::make_unique<HisHl7Source>(HisHl7Options::from(c)); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
