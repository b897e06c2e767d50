// The `emr_fhir` source's options, declared once.
#pragma once

#include <medgate/sdk/options.h>
#include <medgate/sdk/status.h>

#include <string>

#include "fhir_poller.h"
#include "fhir_profile_mapper.h"

namespace medgate::emr_fhir {

struct EmrFhirOptions {
  std::string path = "/fhir";  // where the source answers on the host's HTTP ingress
  int retry_after_seconds = 5;  // Retry-After of 503 answers when the gateway refuses input
  FhirMappingOptions mapping;
  FhirPollerOptions poll;  // poll.base_url empty: no polling

  static sdk::OptionList declare();
  static sdk::Status validate(const sdk::PluginConfig& config);
  static EmrFhirOptions from(const sdk::PluginConfig& config);  // config already validated
};

}  // namespace medgate::emr_fhir
