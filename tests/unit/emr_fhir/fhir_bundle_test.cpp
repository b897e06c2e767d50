// Bundles (transaction, batch, collection) and the responses built for them.
#include <gtest/gtest.h>

#include "fhir_profile_mapper.h"
#include "fhir_samples.h"
#include "medgate/sdk/json.h"

namespace medgate::emr_fhir {
namespace {

using namespace samples;
using sdk::Value;

std::vector<BundleEntryResult> bundle_results(const std::string& json, std::vector<FhirIssue>& bundle_issues) {
  return map_bundle(parsed(json), default_fhir_mapping_options(), bundle_issues);
}

std::string bundle_of(const char* type, std::initializer_list<std::string> entries) {
  std::string out = std::string(R"({"resourceType": "Bundle", "type": ")") + type + R"(", "entry": [)";
  bool first = true;
  for (const std::string& e : entries) {
    out += (first ? "" : ",") + e;
    first = false;
  }
  return out + "]}";
}

std::string entry(const std::string& resource, const std::string& full_url = "") {
  return "{" + (full_url.empty() ? "" : R"("fullUrl": ")" + full_url + R"(", )") + R"("resource": )" + resource + "}";
}

TEST(FhirBundle, TransactionResolvesThePatientByItsFullUrl) {
  std::vector<FhirIssue> bundle_issues;
  std::vector<BundleEntryResult> r = bundle_results(kTransaction, bundle_issues);
  EXPECT_TRUE(bundle_issues.empty());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].full_url, "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a");
  EXPECT_EQ(r[0].resource_type, "Patient");
  EXPECT_EQ(r[0].id, "p2");
  ASSERT_EQ(r[0].result.records.size(), 1u);
  EXPECT_EQ(sdk::to_json(r[0].result.records[0].body), canonical(R"({
    "source_record_id": "Patient/p2", "event_type": "update", "occurred_at": "2026-05-05T08:00:00+08:00",
    "subject": {"resident_id": "110105198506151236", "mrn": "MRN0005678", "name": "欧阳测试",
                "phone": "13800005678"},
    "patient": {"birth_year": 1985, "gender": "female"}})"));
  ASSERT_EQ(r[1].result.records.size(), 1u);
  EXPECT_EQ(sdk::to_json(r[1].result.records[0].body), canonical(R"({
    "source_record_id": "Encounter/e2", "event_type": "visit", "occurred_at": "2026-05-05T09:00:00+08:00",
    "subject": {"resident_id": "110105198506151236", "mrn": "MRN0005678", "name": "欧阳测试",
                "phone": "13800005678"},
    "patient": {"birth_year": 1985, "gender": "female"},
    "encounter": {"visit_type": "outpatient", "started_at": "2026-05-05T09:00:00+08:00",
                  "ended_at": "2026-05-05T09:20:00+08:00", "department": "内分泌科", "source_system": "emr"}})"));
  EXPECT_EQ(sdk::to_json(response_bundle("transaction-response", r)), canonical(R"({
    "resourceType": "Bundle", "type": "transaction-response", "entry": [
      {"response": {"status": "201 Created", "location": "Patient/p2"}},
      {"response": {"status": "201 Created", "location": "Encounter/e2"}}]})"));
}

TEST(FhirBundle, BatchWithOneBadEntry) {
  std::string bad = with(kGlucose, {{"id", ""}});
  std::string batch = bundle_of(
      "batch", {entry(kPatient, "http://emr.example.cn/fhir/Patient/example"), entry(bad), entry(kCondition)});
  std::vector<FhirIssue> bundle_issues;
  std::vector<BundleEntryResult> r = bundle_results(batch, bundle_issues);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0].result.ok());
  EXPECT_FALSE(r[1].result.ok());
  EXPECT_TRUE(r[2].result.ok());  // its subject: the batch's Patient by Patient/example
  EXPECT_EQ(r[2].result.records.at(0).body.at_path("subject.mrn")->as_string(), "MRN0001234");
  EXPECT_EQ(sdk::to_json(response_bundle("batch-response", r)), canonical(R"json({
    "resourceType": "Bundle", "type": "batch-response", "entry": [
      {"response": {"status": "201 Created", "location": "Patient/example"}},
      {"response": {"status": "400 Bad Request", "outcome": {"resourceType": "OperationOutcome", "issue": [
        {"severity": "error", "code": "required",
         "diagnostics": "Observation.id is missing: records are identified by the resource id (a FHIR server assigns it; a system that pushes resources sends its own)",
         "expression": ["Observation.id"]}]}}},
      {"response": {"status": "201 Created", "location": "Condition/example"}}]})json"));
  // Refused as a whole (as a transaction would be): the entry's issues rooted at the entry.
  EXPECT_EQ(sdk::to_json(bundle_outcome(bundle_issues, r)), canonical(R"json({
    "resourceType": "OperationOutcome", "issue": [
      {"severity": "error", "code": "required",
       "diagnostics": "Observation.id is missing: records are identified by the resource id (a FHIR server assigns it; a system that pushes resources sends its own)",
       "expression": ["Bundle.entry[1].resource.id"]}]})json"));
}

TEST(FhirBundle, CollectionIsMappedEntryByEntry) {
  std::vector<FhirIssue> bundle_issues;
  std::vector<BundleEntryResult> r = bundle_results(
      bundle_of("collection", {entry(kPatient), entry(kEncounter), entry(kAppointment), entry(kMedicationRequest)}),
      bundle_issues);
  ASSERT_EQ(r.size(), 4u);
  for (const BundleEntryResult& e : r) EXPECT_TRUE(e.result.ok()) << e.resource_type;
  EXPECT_EQ(r[1].result.records.at(0).body.string_or("event_type", ""), "admission");
}

TEST(FhirBundle, EntryProblems) {
  std::vector<FhirIssue> bundle_issues;
  std::string b = R"({"resourceType": "Bundle", "type": "batch", "entry": [
      1,
      {"fullUrl": "urn:uuid:1"},
      {"resource": {"resourceType": "Patient", "id": "x"}, "request": {"method": "DELETE", "url": "Patient/x"}},
      {"resource": {"resourceType": "Basic", "id": "b1"}},
      {"resource": {"resourceType": "Bundle", "type": "collection"}}]})";
  std::vector<BundleEntryResult> r = bundle_results(b, bundle_issues);
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(
      r[0].result.issues,
      (std::vector<FhirIssue>{{"structure", "Bundle.entry[0]", "Bundle.entry[0] must be an object, not integer"}}));
  EXPECT_EQ(r[1].result.issues,
            (std::vector<FhirIssue>{{"required", "Bundle.entry[1].resource", "Bundle.entry[1].resource is missing"}}));
  EXPECT_TRUE(r[2].result.unsupported);
  EXPECT_EQ(r[2].result.issues[0].expression, "Bundle.entry[2].request.method");
  EXPECT_EQ(r[2].result.issues[0].code, "not-supported");
  EXPECT_TRUE(r[3].result.unsupported);
  EXPECT_EQ(r[3].result.issues[0].expression, "Basic");
  EXPECT_TRUE(r[4].result.unsupported);  // no nested Bundles
  // Rooted at their entries for a whole-Bundle refusal.
  Value outcome = bundle_outcome(bundle_issues, r);
  std::vector<std::string> expressions;
  for (const Value& i : outcome.find("issue")->as_array())
    expressions.push_back(i.find("expression")->as_array()[0].as_string());
  EXPECT_EQ(expressions,
            (std::vector<std::string>{"Bundle.entry[0]", "Bundle.entry[1].resource", "Bundle.entry[2].request.method",
                                      "Bundle.entry[3].resource", "Bundle.entry[4].resource"}));
}

TEST(FhirBundle, BundleProblems) {
  auto issues_of = [](const std::string& json) {
    std::vector<FhirIssue> issues;
    EXPECT_TRUE(map_bundle(parsed(json), default_fhir_mapping_options(), issues).empty());
    return issues;
  };
  EXPECT_EQ(issues_of("[]"),
            (std::vector<FhirIssue>{{"structure", "Bundle", "a Bundle must be a JSON object, not array"}}));
  EXPECT_EQ(issues_of(kPatient), (std::vector<FhirIssue>{{"value", "resourceType", "resourceType must be Bundle"}}));
  EXPECT_EQ(issues_of(R"({"resourceType": "Bundle"})"),
            (std::vector<FhirIssue>{{"required", "Bundle.type", "Bundle.type is missing or not a string"}}));
  EXPECT_EQ(issues_of(R"({"resourceType": "Bundle", "type": "document", "entry": []})"),
            (std::vector<FhirIssue>{{"not-supported", "Bundle.type",
                                     "Bundle.type must be transaction, batch or collection (documents, messages, "
                                     "search results and histories are not taken in)"}}));
  EXPECT_EQ(issues_of(R"({"resourceType": "Bundle", "type": "batch", "entry": {}})"),
            (std::vector<FhirIssue>{{"structure", "Bundle.entry", "Bundle.entry must be an array, not object"}}));
  EXPECT_TRUE(issues_of(R"({"resourceType": "Bundle", "type": "transaction"})").empty());  // empty: nothing to do
}

TEST(FhirBundle, OperationOutcomeNeedsAnIssue) {
  EXPECT_EQ(sdk::to_json(operation_outcome({})),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational",)"
            R"("diagnostics":"no issues"}]})");
  EXPECT_EQ(sdk::to_json(operation_outcome({{"structure", "", "a resource must be a JSON object, not string"}})),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"structure",)"
            R"("diagnostics":"a resource must be a JSON object, not string"}]})");
}

}  // namespace
}  // namespace medgate::emr_fhir
