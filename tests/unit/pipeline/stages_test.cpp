#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <fstream>

#include "../json_value.h"
#include "../temp_dir.h"
#include "crypto/digest.h"
#include "crypto/key_store.h"
#include "medgate/sdk/json.h"
#include "pipeline/desensitizer.h"
#include "pipeline/patient_identifier.h"
#include "pipeline/record_normalizer.h"
#include "pipeline/scrub/text_scrubber.h"

namespace medgate::pipeline {
namespace {

using testing::json;

// A flat HIS record as produced by ../shared/bench/gen_records.py, mapped.
const char* kRecord = R"({"source_record_id":"HIS-000000000","event_type":"visit","occurred_at":"2026-05-05T08:34:00+08:00",
  "subject":{"mrn":"MRN84541427","name":"唐芬","resident_id":"510107200608155200","phone":"13578837457",
             "address":"四川省成都市某区某路97号1930室","birth_date":"2006-08-15"},
  "patient":{"gender":"male"},"encounter":{"department":"呼吸内科","visit_type":"outpatient","started_at":"2026-05-05T08:34:00+08:00"},
  "diagnoses":[{"system":"ICD-10","code":"J44.1"}],"charges":[{"amount_cny":4052.03}],
  "notes":[{"kind":"clinical","text":"患者唐芬，联系电话13578837457，身份证510107200608155200，另一号码13900001111，主诉复诊。"}]})";

TEST(RecordNormalizer, CompletesTheEnvelopeWithAStableRecordId) {
  RecordNormalizer n;
  sdk::Value a = json(kRecord), b = json(kRecord);
  ASSERT_TRUE(n.normalize("inbox", "2026-11-23T00:00:00.000Z", a).ok());
  ASSERT_TRUE(n.normalize("inbox", "2026-11-23T09:00:00.000Z", b).ok());
  EXPECT_EQ(a.find("record_id")->as_string(), b.find("record_id")->as_string());
  EXPECT_EQ(a.find("record_id")->as_string().size(), 32u);
  EXPECT_EQ(a.as_object().front().first, "schema_version");
  EXPECT_EQ(a.find("source")->as_string(), "inbox");
  sdk::Value c = json(kRecord);
  ASSERT_TRUE(n.normalize("other", "x", c).ok());
  EXPECT_NE(a.find("record_id")->as_string(), c.find("record_id")->as_string());
}

TEST(RecordNormalizer, NamesWhatIsWrong) {
  RecordNormalizer n;
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"event_type":"visit","occurred_at":"2026-01-02T03:04:05Z"})", "missing required field 'source_record_id'"},
      {R"({"source_record_id":7,"event_type":"visit","occurred_at":"2026-01-02T03:04:05Z"})", "field 'source_record_id' must be a string, not integer"},
      {R"({"source_record_id":"a","event_type":"party","occurred_at":"2026-01-02T03:04:05Z"})", "unknown event_type"},
      {R"({"source_record_id":"a","event_type":"visit"})", "missing required field 'occurred_at'"},
      {R"({"source_record_id":"a","event_type":"visit","occurred_at":"2026-01-02T03:04:05Z","record_id":"forged"})", "field 'record_id' is set by the gateway"},
      {R"({"source_record_id":"a","event_type":"visit","occurred_at":"2026-01-02T03:04:05Z","subject":"raw"})", "field 'subject' must be an object"},
      {R"({"source_record_id":"a","event_type":"visit","occurred_at":"2026-01-02T03:04:05Z","diagnoses":{}})", "field 'diagnoses' must be an array"},
      {R"([1,2])", "record must be a JSON object"},
  };
  for (const auto& c : cases) {
    sdk::Value v = json(c.json);
    sdk::Status s = n.normalize("inbox", "t", v);
    EXPECT_FALSE(s.ok()) << c.json;
    EXPECT_NE(s.message().find(c.message), std::string::npos) << s.message();
  }
}

TEST(TextScrubber, ChecksTheGb11643CheckDigit) {
  EXPECT_EQ(resident_id_check_digit("11010519491231002"), 'X');
  EXPECT_TRUE(is_valid_resident_id("11010519491231002X"));
  EXPECT_TRUE(is_valid_resident_id("11010519491231002x"));
  EXPECT_TRUE(is_valid_resident_id("510107200608155200"));
  EXPECT_FALSE(is_valid_resident_id("510107200608155201"));
  EXPECT_FALSE(is_valid_resident_id("51010720060815520"));
}

TEST(TextScrubber, ReplacesOwnIdentifiersIdNumbersAndMobiles) {
  sdk::Value subject = json(R"({"name":"唐芬","phone":"13578837457","resident_id":"510107200608155200"})");
  TextScrubber s(&subject);
  ScrubCounts counts;
  std::string out = s.scrub("患者唐芬，电话13578837457，身份证510107200608155200，另110105194912310021X？13900001111。订单12345678901234。", counts);
  EXPECT_EQ(out, "患者[NAME]，电话[PHONE]，身份证[ID]，另110105194912310021X？[PHONE]。订单12345678901234。");
  EXPECT_EQ(counts.found["NAME"], 1);
  EXPECT_EQ(counts.found["PHONE"], 2);
  EXPECT_EQ(counts.found["ID"], 1);
}

class PolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string key = dir_ / "k.key", key2 = dir_ / "k2.key";
    std::ofstream(key) << std::string(64, 'a') << "\n";
    std::ofstream(key2) << std::string(64, 'b') << "\n";
    chmod(key.c_str(), 0600);
    chmod(key2.c_str(), 0600);
    ASSERT_TRUE(keys_.load({{"k1", key, {}, {}}, {"k2", key2, {}, {}}}).ok());
  }
  std::unique_ptr<CompiledPolicy> compile(const std::string& purpose, std::vector<config::PolicyRule> rules,
                                          std::vector<PolicyProblem>& problems) {
    config::PolicyConfig p;
    p.name = "p";
    p.version = 2;
    p.purpose = purpose;
    p.rules = std::move(rules);
    return CompiledPolicy::compile(p, MethodEnv{keys_, "k1"}, problems);
  }
  static config::PolicyRule rule(std::string field, std::string method, std::string to = "",
                                 sdk::Value params = sdk::Value::object()) {
    return {std::move(field), std::move(method), std::move(to), std::move(params), {}};
  }
  testing::TempDir dir_;
  // Compiles a policy that must be refused with one problem per entry of
  // `says`, each message containing that text.
  void expect_refused(const std::string& purpose, std::vector<config::PolicyRule> rules,
                      const std::vector<std::string>& says) {
    std::vector<PolicyProblem> problems;
    EXPECT_EQ(compile(purpose, std::move(rules), problems), nullptr);
    ASSERT_EQ(problems.size(), says.size());
    for (std::size_t i = 0; i < says.size(); ++i)
      EXPECT_NE(problems[i].message.find(says[i]), std::string::npos) << problems[i].message;
  }
  // Compiles a policy that must be accepted (null, with the first problem
  // reported, when it is not).
  std::unique_ptr<CompiledPolicy> accepted(const std::string& purpose, std::vector<config::PolicyRule> rules) {
    std::vector<PolicyProblem> problems;
    auto policy = compile(purpose, std::move(rules), problems);
    EXPECT_TRUE(policy) << (problems.empty() ? "" : problems[0].message);
    return policy;
  }
  // `policy` applied to the record `record_json`; `actions` gets what it did.
  static sdk::Value applied(const CompiledPolicy& policy, const std::string& record_json,
                            std::vector<FieldAction>& actions) {
    sdk::Value out = sdk::Value::object();
    policy.apply(json(record_json), out, actions);
    return out;
  }
  crypto::KeyStore keys_;
};

TEST_F(PolicyTest, AnalyticsOutputHoldsNoRawIdentifierAndOnlyAllowedFields) {
  std::vector<PolicyProblem> problems;
  auto policy = compile("analytics",
                        {rule("patient.gender", "keep"),
                         rule("subject.birth_date", "generalize", "patient.birth_year", json(R"({"level":"year"})")),
                         rule("subject.birth_date", "generalize", "patient.age_band", json(R"({"level":"age_band"})")),
                         rule("subject.address", "generalize", "patient.region", json(R"({"level":"region"})")),
                         rule("subject.phone", "token", "channels.phone_token"),
                         rule("subject.name", "drop"),
                         rule("encounter", "keep"),
                         rule("charges", "keep"),
                         rule("notes", "scrub")},
                        problems);
  ASSERT_TRUE(policy) << (problems.empty() ? "" : problems[0].message);
  RecordNormalizer n;
  sdk::Value rec = json(kRecord);
  ASSERT_TRUE(n.normalize("inbox", "2026-11-23T00:00:00.000Z", rec).ok());
  // The normalizer refuses unknown members; the policy is an allowlist all the same.
  rec["unexpected"] = json(R"({"secret":"should never pass"})");
  sdk::Value out = sdk::Value::object();
  std::vector<FieldAction> actions;
  policy->apply(rec, out, actions);
  std::string text = sdk::to_json(out);
  for (const char* raw : {"唐芬", "13578837457", "510107200608155200", "MRN84541427", "2006-08-15", "某路", "secret", "13900001111"})
    EXPECT_EQ(text.find(raw), std::string::npos) << raw << " leaked: " << text;
  EXPECT_EQ(out.find("subject"), nullptr);
  EXPECT_EQ(out.find("unexpected"), nullptr);
  EXPECT_EQ(out.find("diagnoses"), nullptr);  // no rule: dropped
  EXPECT_EQ(out.at_path("patient.birth_year")->as_int(), 2006);
  EXPECT_EQ(out.at_path("patient.age_band")->as_string(), "15-19");
  EXPECT_EQ(out.at_path("patient.region.province")->as_string(), "四川省");
  EXPECT_EQ(out.at_path("patient.region.city")->as_string(), "成都市");
  EXPECT_EQ(out.at_path("channels.phone_token")->as_string().size(), 32u);
  EXPECT_EQ(out.find("record_id")->as_string(), rec.find("record_id")->as_string());
  ASSERT_EQ(actions.size(), 9u);
  EXPECT_EQ(*actions[4].method, "token");
  ASSERT_NE(actions[4].key_id, nullptr);
  EXPECT_EQ(*actions[4].key_id, "k1");
  EXPECT_EQ(*actions.back().path, "notes");
  EXPECT_EQ(actions.back().found.size(), 3u);  // ID, NAME, PHONE
}

TEST_F(PolicyTest, RefusesToPassDirectIdentifiersToAnalytics) {
  std::vector<PolicyProblem> problems;
  config::PolicyRule keep_name = rule("subject.name", "keep", "patient.name");
  keep_name.mark = {12, 9};
  auto policy = compile("analytics", {keep_name, rule("subject.phone", "mask", "channels.phone_masked"),
                                      rule("notes", "frobnicate"), rule("patient.gender", "keep", "subject.gender")},
                        problems);
  EXPECT_EQ(policy, nullptr);
  ASSERT_EQ(problems.size(), 4u);
  EXPECT_EQ(problems[0].mark.line, 12);
  EXPECT_NE(problems[0].message.find("would pass a raw identifier out of the gateway"), std::string::npos);
  EXPECT_NE(problems[1].message.find("method 'mask' would pass a direct identifier"), std::string::npos);
  EXPECT_NE(problems[2].message.find("unknown method 'frobnicate'"), std::string::npos);
  EXPECT_NE(problems[3].message.find("never leave the gateway"), std::string::npos);
}

// The next of kin (subject.kin_*, from HL7 NK1 and FHIR Patient.contact) is
// another person's identifiers: refused and dropped like the patient's own.
TEST_F(PolicyTest, TheNextOfKinIsGuardedLikeThePatient) {
  expect_refused("analytics",
                 {rule("subject.kin_phone", "keep", "family.phone"), rule("subject.kin_name", "mask", "family.name"),
                  rule("subject.kin_address", "generalize", "family.address", json(R"({"level":"date"})"))},
                 {"would pass a raw identifier out of the gateway", "method 'mask' would pass a direct identifier",
                  "generalize level 'date'"});
  expect_refused("outreach", {rule("subject.kin_phone", "keep", "family.phone")},
                 {"would pass a raw identifier out of the gateway"});

  // A policy with no rule for them lets none of them out, also not through a
  // rule on another subject member or through a scrubbed note.
  auto policy = accepted("analytics", {rule("subject.phone", "token", "channels.phone_token"), rule("notes", "scrub")});
  ASSERT_TRUE(policy);
  std::vector<FieldAction> actions;
  const std::string json_out =
      sdk::to_json(applied(*policy, R"({"subject":{"phone":"13812345678","kin_name":"李秀英","kin_phone":"13987654321"},
                                         "notes":[{"kind":"nursing","text":"家属李秀英陪同，电话13987654321"}]})",
                           actions));
  EXPECT_EQ(json_out.find("李秀英"), std::string::npos) << json_out;
  EXPECT_EQ(json_out.find("13987654321"), std::string::npos) << json_out;
  EXPECT_NE(json_out.find("[NAME]"), std::string::npos) << json_out;
  EXPECT_NE(json_out.find("[PHONE]"), std::string::npos) << json_out;
}

// A key rotation's transition period (docs/desensitization.md): while the old
// key is still active, two rules give the old token beside the new one.
TEST_F(PolicyTest, TwoTokenRulesOnOneFieldGiveTheOldAndTheNewKeysTokens) {
  auto policy = accepted("analytics",
                         {rule("subject.phone", "token", "channels.phone_token", json(R"({"key":"k2"})")),
                          rule("subject.phone", "token", "channels.phone_token_k1", json(R"({"key":"k1"})"))});
  ASSERT_TRUE(policy);
  std::vector<FieldAction> actions;
  const sdk::Value out = applied(*policy, R"({"subject":{"phone":"13812345678"}})", actions);
  EXPECT_EQ(out.at_path("channels.phone_token")->as_string(),
            keys_.hasher("k2")->token("subject.phone", "13812345678", 32));
  EXPECT_EQ(out.at_path("channels.phone_token_k1")->as_string(),
            keys_.hasher("k1")->token("subject.phone", "13812345678", 32));
  EXPECT_NE(out.at_path("channels.phone_token")->as_string(), out.at_path("channels.phone_token_k1")->as_string());
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(*actions[0].key_id, "k2");
  EXPECT_EQ(*actions[1].key_id, "k1");
}

// "ARRAY.*.member" rules work on each element: what they write lands in the
// same element of the output; members without a rule are left out, and an
// element nothing was written into is left out.
TEST_F(PolicyTest, ElementRulesWorkOnEachElementOfAnArray) {
  auto policy = accepted(
      "analytics", {rule("charges.*.amount_cny", "generalize", "charges.*.amount_band",
                         json(R"({"level":"amount_band"})")),
                    rule("charges.*.category", "keep"), rule("notes.*.kind", "keep"), rule("notes.*.text", "scrub"),
                    rule("diagnoses.*.code", "keep")});
  ASSERT_TRUE(policy);
  std::vector<FieldAction> actions;
  sdk::Value out = applied(*policy, R"({
      "subject": {"name": "王小明", "phone": "13812345678"},
      "charges": [{"amount_cny": 2764.22, "category": "visit", "charged_at": "2026-07-03T10:05:00+08:00"},
                  {"amount_cny": 80, "charged_at": "2026-07-03T10:06:00+08:00"},
                  {"charged_at": "2026-07-03T10:07:00+08:00"},
                  {"amount_cny": 12000, "category": "bed"}],
      "notes": [{"kind": "chief_complaint", "text": "王小明 电话13812345678", "written_at": "2026-07-03T10:05:00+08:00"},
                {"kind": "nursing", "text": "发热"}],
      "diagnoses": [{"code": "K29.7", "system": "ICD-10", "display": "慢性胃炎"}]})",
                           actions);
  EXPECT_EQ(sdk::to_json(out),
            R"({"charges":[{"amount_band":"1000-5000","category":"visit"},{"amount_band":"0-100"},)"
            R"({"amount_band":"10000+","category":"bed"}],)"
            R"("notes":[{"kind":"chief_complaint","text":"[NAME] 电话[PHONE]"},{"kind":"nursing","text":"发热"}],)"
            R"("diagnoses":[{"code":"K29.7"}]})");
  // One audit action per rule, the scrub findings of all elements together.
  ASSERT_EQ(actions.size(), 5u);
  EXPECT_EQ(*actions[0].path, "charges.*.amount_cny");
  EXPECT_EQ(*actions[3].path, "notes.*.text");
  EXPECT_EQ(actions[3].found, (std::vector<std::pair<std::string, int>>{{"NAME", 1}, {"PHONE", 1}}));

  // A record without the array, or with something else there, gets nothing and no action.
  actions.clear();
  out = applied(*policy, R"({"charges": "none", "notes": []})", actions);
  EXPECT_EQ(sdk::to_json(out), "{}");
  EXPECT_TRUE(actions.empty());
}

TEST_F(PolicyTest, ElementPathsAreCheckedAndNeverMixedWithTheWholeArray) {
  expect_refused("analytics", {rule("charges.*.amount_cny", "generalize", "patient.amount_band",
                                    json(R"({"level":"amount_band"})"))},
                 {"writes into the same elements"});
  expect_refused("analytics", {rule("charges.*.amount_cny", "keep", "notes.*.amount_cny")},
                 {"writes into the same elements"});
  expect_refused("analytics", {rule("a.*.b.*.c", "keep")}, {"more than one array"});
  expect_refused("analytics", {rule("charges.x*", "keep")}, {"'*' (each element of an array) is a step of its own"});
  expect_refused("analytics", {rule("*.amount", "keep")}, {"starts with '*'"});
  expect_refused("analytics", {rule("charges..amount", "keep")}, {"empty step"});
  expect_refused("analytics", {rule("charges", "keep"), rule("charges.*.category", "keep")},
                 {"which the rule for 'charges' (line 0) writes whole"});
  // Free text stays free text inside an array: the text of a note is scrubbed, never kept.
  expect_refused("analytics", {rule("notes.*.text", "keep"), rule("notes.*", "keep")}, {"free text", "free text"});
  expect_refused("analytics", {rule("subject.phone_others.*", "keep")}, {"never leave the gateway"});
  // Element rules on one array, or on different arrays, go together.
  EXPECT_TRUE(accepted("analytics", {rule("charges.*.category", "keep"), rule("charges.*.charged_at", "keep"),
                                     rule("notes.*.written_at", "keep"), rule("charges.*", "drop")}));
}

TEST_F(PolicyTest, OutreachMayMaskAndRejectsBadParameters) {
  auto policy = accepted(
      "outreach",
      {rule("subject.phone", "mask", "channels.phone_masked", json(R"({"keep_first":3,"keep_last":4})")),
       rule("subject.name", "mask", "patient.name_masked", json(R"({"keep_first":1,"keep_last":1})"))});
  ASSERT_TRUE(policy);
  std::vector<FieldAction> actions;
  const sdk::Value out = applied(*policy, R"({"subject":{"phone":"13812345678","name":"王小明"}})", actions);
  EXPECT_EQ(out.at_path("channels.phone_masked")->as_string(), "138****5678");
  EXPECT_EQ(out.at_path("patient.name_masked")->as_string(), "王*明");

  expect_refused("outreach",
                 {rule("subject.phone", "mask", "x.y", json(R"({"keep_first":"three"})")),
                  rule("subject.phone", "token", "x.z", json(R"({"key":"nope"})")),
                  rule("subject.phone", "token", "x.w", json(R"({"colour":"red"})"))},
                 {"parameter 'keep_first' must be an integer", "names key 'nope'", "takes no parameter 'colour'"});
}

// apply_json writes the target's view straight from the record when the
// rules allow it (output_plan.h): the bytes and the audit actions must be
// those of the view apply builds, for every kind of policy and record.
TEST_F(PolicyTest, TheJsonViewIsTheBuiltViewByteForByte) {
  const std::vector<config::PolicyRule> like_analytics_strict = {
      rule("patient.token", "keep"),
      rule("patient.gender", "keep"),
      rule("subject.birth_date", "generalize", "patient.birth_year", json(R"({"level":"year"})")),
      rule("subject.birth_date", "generalize", "patient.age_band", json(R"({"level":"age_band"})")),
      rule("subject.address", "generalize", "patient.region", json(R"({"level":"region"})")),
      rule("subject.mrn", "token", "patient.mrn_token"),
      rule("subject.phone", "token", "channels.phone_token"),
      rule("subject.name", "drop"),
      rule("encounter", "keep"),
      rule("diagnoses", "keep"),
      rule("charges", "keep"),
      rule("notes", "scrub"),
      rule("channels.preferred", "keep")};
  const std::vector<config::PolicyRule> like_outreach_minimal = {
      rule("patient.token", "keep"),
      rule("subject.name", "mask", "patient.surname", json(R"({"surname_only":true})")),
      rule("subject.phone", "encrypt", "channels.phone_handle", json(R"({"key":"k2"})")),
      rule("encounter.department", "keep"),
      rule("encounter.started_at", "keep")};
  struct Case {
    const char* what;
    std::string purpose;
    std::vector<config::PolicyRule> rules;
    bool planned;
  };
  const std::vector<Case> cases = {
      {"analytics-strict", "analytics", like_analytics_strict, true},
      {"outreach-minimal", "outreach", like_outreach_minimal, true},
      // The first rule into `patient` finds nothing in most records below.
      {"an object's first rule often missing", "analytics",
       {rule("subject.mrn", "token", "patient.mrn_token"), rule("encounter.department", "keep", "e.department"),
        rule("patient.gender", "keep"), rule("subject.birth_date", "drop")},
       true},
      // Overwrite and merge: the general path.
      {"one path twice", "analytics",
       {rule("subject.mrn", "token", "patient.t"), rule("subject.phone", "token", "patient.t")}, false},
      {"a path inside a kept one", "analytics",
       {rule("encounter", "keep"), rule("encounter.started_at", "generalize", "encounter.month",
                                        json(R"({"level":"month"})"))},
       false},
      {"element rules", "analytics",
       {rule("charges.*.amount_cny", "generalize", "charges.*.amount_band", json(R"({"level":"amount_band"})")),
        rule("patient.gender", "keep")},
       false},
  };
  RecordNormalizer normalizer;
  std::vector<sdk::Value> records;
  for (const char* drop : {"", "patient", "subject", "encounter", "notes"}) {
    sdk::Value r = json(kRecord);
    if (*drop) r.erase(drop);
    ASSERT_TRUE(normalizer.normalize("inbox", "2026-11-23T00:00:00.000Z", r).ok());
    records.push_back(std::move(r));
  }
  records.push_back(json("{}"));
  records.push_back(json(R"({"patient":{"token":"t"},"subject":{"mrn":null,"phone":""}})"));
  for (const auto& c : cases) {
    auto policy = accepted(c.purpose, c.rules);
    ASSERT_TRUE(policy) << c.what;
    for (const auto& record : records) {
      std::vector<FieldAction> built_actions, json_actions;
      sdk::Value built = sdk::Value::object();
      policy->apply(record, built, built_actions);
      std::string written = "stale";
      policy->apply_json(record, written, json_actions);
      EXPECT_EQ(written, sdk::to_json(built)) << c.what << " on " << sdk::to_json(record);
      ASSERT_EQ(json_actions.size(), built_actions.size()) << c.what;
      for (std::size_t i = 0; i < json_actions.size(); ++i) {
        EXPECT_EQ(json_actions[i].path, built_actions[i].path) << c.what;
        EXPECT_EQ(json_actions[i].method, built_actions[i].method) << c.what;
        EXPECT_EQ(json_actions[i].key_id, built_actions[i].key_id) << c.what;
        EXPECT_EQ(json_actions[i].found, built_actions[i].found) << c.what;
      }
    }
    std::vector<std::string> to_paths;
    for (const auto& r : c.rules) to_paths.push_back(r.to.empty() ? r.field : r.to);
    EXPECT_EQ(OutputPlan::build(to_paths, {}) != nullptr, c.planned) << c.what;
  }
}

TEST_F(PolicyTest, TokensAreHmacSha256OfDomainAndValue) {
  const crypto::KeyedHasher* h = keys_.hasher("k1");
  ASSERT_NE(h, nullptr);
  // Independent computation with OpenSSL's one-shot HMAC.
  std::string key(32, '\xaa');
  std::string msg = std::string("subject.mrn") + '\x1f' + "MRN84541427";
  unsigned char mac[32];
  std::size_t len = 0;
  ASSERT_TRUE(EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                        reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), mac, sizeof mac, &len));
  EXPECT_EQ(h->token("subject.mrn", "MRN84541427", 64), crypto::to_hex(mac, 32));
  EXPECT_EQ(h->token("subject.mrn", "MRN84541427"), crypto::to_hex(mac, 16));
  EXPECT_NE(h->token("subject.phone", "MRN84541427"), h->token("subject.mrn", "MRN84541427"));

  PatientIdentifier id(*h, {"subject.resident_id", "subject.mrn"});
  sdk::Value with_id = json(R"({"subject":{"resident_id":" 11010519491231002X ","mrn":"M1"}})");
  sdk::Value with_mrn = json(R"({"subject":{"mrn":"M1"}})");
  EXPECT_EQ(id.identify(with_id), h->token("subject.resident_id", "11010519491231002X"));
  EXPECT_EQ(id.identify(with_mrn), h->token("subject.mrn", "M1"));
  EXPECT_EQ(with_mrn.at_path("patient.token")->as_string(), h->token("subject.mrn", "M1"));
  sdk::Value none = json(R"({"subject":{}})");
  EXPECT_EQ(id.identify(none), "");
}

}  // namespace
}  // namespace medgate::pipeline
