// libFuzzer target: the FHIR R4 -> profile mapper (every resource and
// Bundle the emr_fhir source receives passes through it). Any JSON object
// maps, as a resource and as a Bundle, to records or to issues, never both;
// records carry the envelope the input contract requires; issues have a
// known issue-type code and say why; the OperationOutcome and response
// Bundle built for the result serialize and parse back unchanged. (The full
// contract check, RecordNormalizer, runs in emr_fhir_test on every sample
// and on damaged ones.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "fhir_profile_mapper.h"
#include "medgate/sdk/json.h"

namespace {
using namespace medgate::emr_fhir;
using medgate::sdk::Value;

void require(bool ok) {
  if (!ok) std::abort();
}

void check_issue(const FhirIssue& i) {
  static const std::set<std::string, std::less<>> kCodes = {"structure", "required", "value", "not-supported",
                                                            "too-costly"};
  require(kCodes.contains(i.code) && !i.diagnostics.empty());
}

void check_record(const Value& r) {
  static const std::set<std::string, std::less<>> kEvents = {
      "registration", "visit",   "admission", "transfer", "discharge", "appointment", "result",
      "charge",       "message", "review",    "consent",  "merge",     "update"};
  require(r.is_object());
  const Value* id = r.find("source_record_id");
  const Value* type = r.find("event_type");
  const Value* at = r.find("occurred_at");
  require(id && id->is_string() && !id->as_string().empty() && id->as_string().size() <= 256);
  require(type && type->is_string() && kEvents.contains(type->as_string()));
  require(at && at->is_string() && at->as_string().size() >= 20 && at->as_string()[10] == 'T');
  for (const char* gateway_set : {"schema_version", "record_id", "source", "ingested_at"})
    require(r.find(gateway_set) == nullptr);
}

void check_result(const FhirMappingResult& r) {
  require(r.ok() || r.records.empty());
  require(!r.unsupported || !r.ok());
  for (const FhirIssue& i : r.issues) check_issue(i);
  for (const medgate::sdk::Record& record : r.records) check_record(record.body);
}

void round_trip(const Value& v) {
  std::string json = medgate::sdk::to_json(v);
  Value back;
  require(medgate::sdk::parse_json(json, back).ok() && back == v);
}

const PatientIndex& index() {
  static const PatientIndex kIndex = [] {
    PatientIndex i;
    Value patient;
    require(medgate::sdk::parse_json(R"({"resourceType": "Patient", "id": "example", "identifier": [
        {"system": "urn:oid:2.16.156.10011.1.3", "value": "510107198001011235"}], "name": [{"text": "张测试"}]})",
                                     patient)
                .ok());
    i.by_reference.emplace("Patient/example", patient);
    i.by_reference.emplace("urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a", patient);
    return i;
  }();
  return kIndex;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Value doc;
  if (!medgate::sdk::parse_json(bytes, doc).ok() || !doc.is_object()) return 0;
  static const FhirMappingOptions kOptions = default_fhir_mapping_options();

  FhirMappingResult single = map_resource(doc, index(), kOptions);
  check_result(single);
  round_trip(operation_outcome(single.issues));

  std::vector<FhirIssue> bundle_issues;
  std::vector<BundleEntryResult> entries = map_bundle(doc, kOptions, bundle_issues);
  require(bundle_issues.empty() || entries.empty());
  for (const FhirIssue& i : bundle_issues) check_issue(i);
  for (const BundleEntryResult& e : entries) check_result(e.result);
  round_trip(response_bundle("batch-response", entries));
  round_trip(bundle_outcome(bundle_issues, entries));
  return 0;
}
