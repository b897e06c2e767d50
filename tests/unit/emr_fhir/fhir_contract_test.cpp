// Every record the mapper makes passes the gateway's input contract (the
// normalize stage, RecordNormalizer), and damaged resources map to such
// records or to issues that carry no value.
#include <gtest/gtest.h>

#include <set>
#include <variant>

#include "fhir_profile_mapper.h"
#include "fhir_samples.h"
#include "medgate/sdk/json.h"
#include "pipeline/record_normalizer.h"

namespace medgate::emr_fhir {
namespace {

using namespace samples;
using sdk::Value;

const std::vector<const std::string*> kResources = {&kPatient,   &kEncounter,         &kGlucose,    &kCondition,
                                                    &kProcedure, &kMedicationRequest, &kAppointment};

std::string batch_of_all() {
  std::string out = R"({"resourceType": "Bundle", "type": "batch", "entry": [)";
  for (const std::string* r : kResources) out += (r == kResources.front() ? "" : ",") + (R"({"resource": )" + *r + "}");
  return out + "]}";
}

class ContractCheck {
 public:
  // Records must pass the contract; a refusal must have issues with known
  // codes, and no issue may show `secret`.
  void check(const FhirMappingResult& r, const std::string& secret) {
    if (!r.ok()) {
      ++refused_;
      EXPECT_TRUE(r.records.empty());
      for (const FhirIssue& i : r.issues) check_issue(i, secret);
      return;
    }
    ++accepted_;
    for (const sdk::Record& record : r.records) {
      Value body = record.body;
      sdk::Status s = normalizer_.normalize("emr", "2026-11-23T00:00:00.000Z", body);
      EXPECT_TRUE(s.ok()) << s.message() << "\n" << sdk::to_json(record.body);
    }
  }

  void check_issue(const FhirIssue& i, const std::string& secret) {
    static const std::set<std::string> kCodes = {"structure", "required", "value", "not-supported", "too-costly"};
    EXPECT_TRUE(kCodes.contains(i.code)) << i.code;
    EXPECT_FALSE(i.diagnostics.empty());
    if (!secret.empty()) {
      EXPECT_EQ(i.diagnostics.find(secret), std::string::npos) << i.diagnostics;
      EXPECT_EQ(i.expression.find(secret), std::string::npos) << i.expression;
    }
  }

  // A resource on its own (with kPatient indexed), or a Bundle.
  void map(const Value& doc, const PatientIndex& index, const std::string& secret = {}) {
    if (doc.is_object() && doc.string_or("resourceType", "") == "Bundle") {
      std::vector<FhirIssue> bundle_issues;
      std::vector<BundleEntryResult> entries = map_bundle(doc, default_fhir_mapping_options(), bundle_issues);
      for (const FhirIssue& i : bundle_issues) check_issue(i, secret);
      for (const BundleEntryResult& e : entries) check(e.result, secret);
      sdk::to_json(response_bundle("batch-response", entries));  // its locations hold resource ids, as they should
      std::string out = sdk::to_json(bundle_outcome(bundle_issues, entries));
      if (!secret.empty()) {
        EXPECT_EQ(out.find(secret), std::string::npos) << out;
      }
      return;
    }
    check(map_resource(doc, index, default_fhir_mapping_options()), secret);
  }

  std::size_t accepted() const { return accepted_; }
  std::size_t refused() const { return refused_; }

 private:
  pipeline::RecordNormalizer normalizer_;
  std::size_t accepted_ = 0, refused_ = 0;
};

TEST(FhirContract, EveryRecordPassesTheInputContract) {
  ContractCheck c;
  PatientIndex index = patient_index();
  for (const std::string* r : kResources) c.map(parsed(*r), index);
  c.map(parsed(kTransaction), index);
  c.map(parsed(batch_of_all()), index);
  EXPECT_EQ(c.refused(), 0u);
  EXPECT_EQ(c.accepted(), kResources.size() * 2 + 2);
}

// ---- Damaged resources ----------------------------------------------------------------

using Step = std::variant<std::string, std::size_t>;
using Path = std::vector<Step>;

void collect(const Value& v, Path& at, std::vector<Path>& out) {
  out.push_back(at);
  if (v.is_object()) {
    for (const auto& [key, member] : v.as_object()) {
      at.emplace_back(key);
      collect(member, at, out);
      at.pop_back();
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.as_array().size(); ++i) {
      at.emplace_back(i);
      collect(v.as_array()[i], at, out);
      at.pop_back();
    }
  }
}

Value* locate(Value& root, const Path& path, std::size_t depth) {
  Value* v = &root;
  for (std::size_t i = 0; i < depth; ++i) {
    if (const std::string* key = std::get_if<std::string>(&path[i]))
      v = v->find(*key);
    else
      v = &v->as_array()[std::get<std::size_t>(path[i])];
  }
  return v;
}

// The phone number below stands for any personal value: no issue may show it.
constexpr const char* kSecret = "13912345678";

std::vector<Value> replacements() {
  std::vector<Value> out = {Value(),
                            Value(true),
                            Value(0),
                            Value(-1),
                            Value(1.5),
                            Value(1e300),
                            Value(""),
                            Value(kSecret),
                            Value("2026-02-30"),
                            Value("2026-05-05T25:00:00+08:00"),
                            Value("1980"),
                            Value("Patient/example"),
                            Value(std::string(1100, '9')),
                            Value::array(),
                            Value::object(),
                            Value(Value::Array{Value::object()}),
                            Value(Value::Array{Value(kSecret)})};
  Value keyed = Value::object();
  keyed[kSecret] = kSecret;  // a member named by data
  out.push_back(std::move(keyed));
  return out;
}

// Every node of every sample replaced by each of replacements(), and every
// member and item removed: whatever comes out passes the contract or is
// refused with issues that show no value.
TEST(FhirContract, DamagedResourcesMapToValidRecordsOrIssues) {
  ContractCheck c;
  PatientIndex index = patient_index();
  std::vector<Value> values = replacements();
  std::vector<std::string> docs;
  for (const std::string* r : kResources) docs.push_back(*r);
  docs.push_back(kTransaction);
  for (const std::string& json : docs) {
    const Value original = parsed(json);
    std::vector<Path> paths;
    Path at;
    collect(original, at, paths);
    for (const Path& path : paths) {
      for (const Value& replacement : values) {
        Value doc = original;
        *locate(doc, path, path.size()) = replacement;
        c.map(doc, index, kSecret);
      }
      if (path.empty()) continue;
      Value doc = original;
      Value* parent = locate(doc, path, path.size() - 1);
      if (const std::string* key = std::get_if<std::string>(&path.back()))
        parent->erase(*key);
      else
        parent->as_array().erase(parent->as_array().begin() +
                                 static_cast<std::ptrdiff_t>(std::get<std::size_t>(path.back())));
      c.map(doc, index, kSecret);
    }
  }
  EXPECT_GT(c.accepted(), 2000u);
  EXPECT_GT(c.refused(), 2000u);
}

}  // namespace
}  // namespace medgate::emr_fhir
