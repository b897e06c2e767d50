#include "pipeline/record_transformer.h"

#include "medgate/sdk/json.h"

namespace medgate::pipeline {

sdk::Status RecordTransformer::transform(const std::string& source, const std::string& ingested_at, sdk::Value& body,
                                         const std::vector<RouteTarget>& destinations, TransformedRecord& out) const {
  out.outputs.clear();
  out.audits.clear();
  if (sdk::Status s = normalizer_.normalize(source, ingested_at, body); !s.ok()) return s;
  std::string token = identifier_.identify(body);
  const std::string& record_id = body.find("record_id")->as_string();
  out.outputs.reserve(destinations.size());
  out.audits.reserve(destinations.size());
  for (const auto& dest : destinations) {
    audit::AuditEntry a{record_id, source, dest.target, token, dest.policy->name(), dest.policy->version(), {}};
    std::string view;
    dest.policy->apply_json(body, view, a.actions);
    out.outputs.push_back({record_id + ":" + dest.target, token, std::move(view)});
    out.audits.push_back(std::move(a));
  }
  return sdk::Status::Ok();
}

}  // namespace medgate::pipeline
