// The `emr_fhir` source: FHIR R4 pushed by the EMR or a regional platform to
// the host's HTTP ingress (POST/PUT under `path`, /fhir by default).
//
//   POST {path}                 a Bundle: transaction (all or nothing),
//                               batch or collection (entry by entry)
//   POST {path}/{Type}          one resource (create)
//   PUT  {path}/{Type}/{id}     one resource (update)
//   GET  {path}/metadata        a minimal CapabilityStatement
//
// Records are emitted, and the answer sent, only when they are durable:
// 201 (one resource) or 200 with a transaction-response / batch-response
// Bundle. Invalid input gets an OperationOutcome: 400 (not JSON, wrong
// resourceType for the path), 422 (content the mapping refuses), 404 (an
// unsupported resource type), 415 (not JSON content), 503 with Retry-After
// when the gateway refuses input. Refused input is quarantined (encrypted at
// rest by the host); issues name FHIRPath locations, never values.
#pragma once

#include <medgate/sdk/ingress.h>
#include <medgate/sdk/plugin.h>

#include <atomic>

#include "emr_fhir_options.h"

namespace medgate::emr_fhir {

struct EmrFhirCounters {
  std::atomic<std::uint64_t> accepted{0};  // resources emitted and durable
  std::atomic<std::uint64_t> refused{0};   // requests answered 4xx
  std::atomic<std::uint64_t> deferred{0};  // requests answered 503
};

class EmrFhirSource : public sdk::Source {
 public:
  explicit EmrFhirSource(EmrFhirOptions options) : options_(std::move(options)) {}
  sdk::Status run(sdk::SourceContext& ctx) override;

  // One request in, the answer out. Public for the unit tests.
  sdk::HttpResponse handle(const sdk::HttpRequest& request, sdk::SourceContext& ctx);
  const EmrFhirCounters& counters() const noexcept { return counters_; }

 private:
  // The mapping options for a pushed request: received_at is now.
  FhirMappingOptions pushed_mapping() const;
  sdk::HttpResponse one_resource(const sdk::HttpRequest& request, const std::string& type, const std::string& id,
                                 sdk::SourceContext& ctx);
  sdk::HttpResponse bundle(const sdk::HttpRequest& request, const sdk::Value& bundle, sdk::SourceContext& ctx);
  sdk::HttpResponse refuse(const sdk::HttpRequest& request, sdk::SourceContext& ctx, int status,
                           std::vector<FhirIssue> issues);
  sdk::HttpResponse unavailable(const sdk::Status& why);

  EmrFhirOptions options_;
  EmrFhirCounters counters_;
};

}  // namespace medgate::emr_fhir
