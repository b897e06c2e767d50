// The FHIR endpoint's answers against the SDK test kit's fake host: 201 with
// Location only after the emit, 503 + Retry-After when the gateway refuses,
// 415/405/400/404/422 with an OperationOutcome (and the body quarantined),
// a transaction refused as a whole emits nothing.
#include <gtest/gtest.h>

#include "emr_fhir_source.h"
#include "medgate/sdk/json.h"
#include "medgate/testkit/fake_source_context.h"
#include "medgate/testkit/plugin_config.h"
#include "temp_dir.h"

namespace medgate::emr_fhir {
namespace {

const char* kPatient =
    R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"2","lastUpdated":"2026-11-20T09:00:00+08:00"},)"
    R"("identifier":[{"system":"urn:oid:2.16.156.10011.1.3","value":"11010519491231002X"}],"gender":"male"})";

class EmrFhirSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmrFhirOptions o;
    o.mapping = default_fhir_mapping_options();
    source_ = std::make_unique<EmrFhirSource>(o);
  }
  sdk::HttpResponse send(const std::string& method, const std::string& path, const std::string& body,
                         const std::string& content_type = "application/fhir+json") {
    sdk::HttpRequest r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.headers.emplace_back("Content-Type", content_type);
    return source_->handle(r, ctx_);
  }
  static std::string header(const sdk::HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (k == name) return v;
    return {};
  }
  static bool is_outcome(const sdk::HttpResponse& r) {
    sdk::Value v;
    return sdk::parse_json(r.body, v).ok() && v.string_or("resourceType", "") == "OperationOutcome";
  }

  testing::TempDir dir_;
  testkit::FakeSourceContext ctx_{dir_.path(), "emr"};
  std::unique_ptr<EmrFhirSource> source_;
};

TEST_F(EmrFhirSourceTest, CreateIsEmittedThenAnswered201WithLocation) {
  sdk::HttpResponse r = send("POST", "/fhir/Patient", kPatient);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(header(r, "Location"), "Patient/p1/_history/2");
  ASSERT_EQ(ctx_.emitted().size(), 1u);
  EXPECT_EQ(ctx_.ids()[0], "Patient/p1/_history/2");
  EXPECT_EQ(ctx_.emitted()[0].at_path("subject.resident_id")->as_string(), "11010519491231002X");
}

TEST_F(EmrFhirSourceTest, UpdateNeedsTheIdOfTheUrl) {
  EXPECT_EQ(send("PUT", "/fhir/Patient/p1", kPatient).status, 201);
  sdk::HttpResponse wrong = send("PUT", "/fhir/Patient/p2", kPatient);
  EXPECT_EQ(wrong.status, 400);
  EXPECT_TRUE(is_outcome(wrong));
  EXPECT_EQ(ctx_.emitted().size(), 1u);
}

TEST_F(EmrFhirSourceTest, RefusedEmitIs503WithRetryAfterAndNothingKept) {
  ctx_.refuse_next_emits(1);
  sdk::HttpResponse r = send("POST", "/fhir/Patient", kPatient);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(header(r, "Retry-After"), "5");
  EXPECT_TRUE(is_outcome(r));
  EXPECT_TRUE(ctx_.quarantined().empty());
  EXPECT_EQ(send("POST", "/fhir/Patient", kPatient).status, 201);
}

TEST_F(EmrFhirSourceTest, BadRequestsGetAnOperationOutcomeAndAreQuarantined) {
  EXPECT_EQ(send("POST", "/fhir/Patient", kPatient, "application/xml").status, 415);
  EXPECT_EQ(send("DELETE", "/fhir/Patient/p1", "").status, 405);
  sdk::HttpResponse broken = send("POST", "/fhir/Patient", "{\"resourceType\":");
  EXPECT_EQ(broken.status, 400);
  EXPECT_TRUE(is_outcome(broken));
  EXPECT_EQ(send("POST", "/fhir/Observation", kPatient).status, 400);  // type does not match the URL
  EXPECT_EQ(send("POST", "/fhir/Claim", R"({"resourceType":"Claim","id":"c1"})").status, 404);
  EXPECT_EQ(send("POST", "/fhir/Patient", R"({"resourceType":"Patient","gender":"male"})").status, 422);  // no id
  EXPECT_EQ(ctx_.emit_calls(), 0);
  EXPECT_EQ(ctx_.quarantined().size(), 5u);  // all but the 405, which had no body
  for (const auto& q : ctx_.quarantined()) EXPECT_EQ(q.reason.find("11010519491231002X"), std::string::npos);
}

TEST_F(EmrFhirSourceTest, TransactionWithABadEntryEmitsNothing) {
  const std::string bundle = std::string(R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":)") +
                             kPatient + R"(},{"resource":{"resourceType":"Patient","gender":"female"}}]})";
  sdk::HttpResponse r = send("POST", "/fhir", bundle);
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find("Bundle.entry[1]"), std::string::npos) << r.body;
  EXPECT_EQ(ctx_.emit_calls(), 0);
}

// Two Patients that map cleanly; the fake gateway refuses the second (p2).
std::string two_patients(const std::string& type) {
  return R"({"resourceType":"Bundle","type":")" + type + R"(","entry":[{"resource":)" + kPatient +
         R"(},{"resource":{"resourceType":"Patient","id":"p2","identifier":[{"system":)"
         R"("urn:oid:2.16.156.10011.1.3","value":"110105194912310037"}],"gender":"female"}}]})";
}
bool is_p2(const sdk::Value& v) {
  const sdk::Value* id = v.at_path("subject.resident_id");
  return id && id->as_string() == "110105194912310037";
}

TEST_F(EmrFhirSourceTest, TransactionRefusedByTheGatewayCommitsNothing) {
  ctx_.reject_when(is_p2);
  sdk::HttpResponse r = send("POST", "/fhir", two_patients("transaction"));
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(is_outcome(r));
  EXPECT_NE(r.body.find("nothing of the Bundle was committed"), std::string::npos) << r.body;
  ASSERT_EQ(ctx_.unit_sizes().size(), 1u);
  EXPECT_EQ(ctx_.unit_sizes()[0], std::vector<std::size_t>{2});  // the Bundle is one unit
  EXPECT_TRUE(ctx_.emitted().empty());  // p1 is not kept either
  EXPECT_EQ(ctx_.quarantined().size(), 1u);
  EXPECT_EQ(source_->counters().accepted.load(), 0u);
}

TEST_F(EmrFhirSourceTest, BatchEntriesStandOrFallAlone) {
  ctx_.reject_when(is_p2);
  sdk::HttpResponse r = send("POST", "/fhir", two_patients("batch"));
  EXPECT_EQ(r.status, 200);
  sdk::Value v;
  ASSERT_TRUE(sdk::parse_json(r.body, v).ok()) << r.body;
  ASSERT_EQ(v.find("entry")->size(), 2u);
  EXPECT_EQ(v.find("entry")->as_array()[0].at_path("response.status")->as_string().substr(0, 3), "201");
  EXPECT_NE(v.find("entry")->as_array()[1].at_path("response.status")->as_string().substr(0, 3), "201");
  EXPECT_NE(r.body.find("nothing of the entry was committed"), std::string::npos) << r.body;
  ASSERT_EQ(ctx_.unit_sizes().size(), 1u);
  EXPECT_EQ(ctx_.unit_sizes()[0], (std::vector<std::size_t>{1, 1}));
  ASSERT_EQ(ctx_.emitted().size(), 1u);
  EXPECT_EQ(ctx_.ids()[0], "Patient/p1/_history/2");
  EXPECT_EQ(source_->counters().accepted.load(), 1u);
}

TEST_F(EmrFhirSourceTest, MetadataListsTheSupportedTypes) {
  sdk::HttpResponse r = send("GET", "/fhir/metadata", "");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"CapabilityStatement\""), std::string::npos);
  EXPECT_NE(r.body.find("\"Encounter\""), std::string::npos);
}

TEST(EmrFhirOptions, MappingOptionsComeFromTheConfig) {
  sdk::Value v = sdk::Value::object();
  v["source_system"] = "regional";
  v["icd10_systems"] = sdk::Value(sdk::Value::Array{sdk::Value("urn:example:icd10")});
  v["identifier_systems"] = sdk::Value(sdk::Value::Array{sdk::Value("urn:example:mrn=mrn")});
  v["poll_url"] = "https://fhir.example/fhir";
  sdk::PluginConfig c = testkit::config_with_defaults(EmrFhirOptions::declare(), v);
  ASSERT_TRUE(EmrFhirOptions::validate(c).ok()) << EmrFhirOptions::validate(c).message();
  EmrFhirOptions o = EmrFhirOptions::from(c);
  EXPECT_EQ(o.mapping.source_system, "regional");
  EXPECT_EQ(o.mapping.icd10_systems, (std::set<std::string>{"urn:example:icd10"}));
  EXPECT_EQ(o.mapping.identifier_systems.at("urn:example:mrn"), "mrn");
  EXPECT_EQ(o.poll.base_url, "https://fhir.example/fhir");
  EXPECT_EQ(o.poll.resource_types, supported_resource_types());

  for (auto [key, bad] : std::vector<std::pair<const char*, sdk::Value>>{
           {"source_system", sdk::Value("")},
           {"poll_url", sdk::Value("ftp://x")},
           {"poll_url", sdk::Value("http://x/")},
           {"poll_types", sdk::Value(sdk::Value::Array{sdk::Value("Claim")})},
           {"identifier_systems", sdk::Value(sdk::Value::Array{sdk::Value("no-member")})},
           {"path", sdk::Value("fhir")}}) {
    sdk::Value w = sdk::Value::object();
    w[key] = bad;
    EXPECT_FALSE(EmrFhirOptions::validate(testkit::config_with_defaults(EmrFhirOptions::declare(), w)).ok()) << key;
  }
}

}  // namespace
}  // namespace medgate::emr_fhir
