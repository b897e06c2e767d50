// One test group per desensitization method, plus the policy compiler's
// fail-closed checks and key rotation. Expected values are computed here from
// the method's definition (docs/desensitization.md), not copied from output.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "../json_value.h"
#include "../temp_dir.h"
#include "crypto/key_store.h"
#include "medgate/sdk/json.h"
#include "pipeline/desensitizer.h"

namespace medgate::pipeline {
namespace {

using testing::json;

class MethodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_file(dir_ / "k1.key", std::string(64, 'a'));
    testing::write_file(dir_ / "k0.key", std::string(64, 'b'));
    ASSERT_TRUE(keys_.load({{"k1", dir_ / "k1.key", {}, {}}, {"k0", dir_ / "k0.key", {}, {}, true}}).ok());
  }
  // Compiles a one-rule policy; fails the test when it does not compile.
  std::unique_ptr<CompiledPolicy> one_rule(const std::string& purpose, const std::string& field,
                                           const std::string& method, const std::string& to,
                                           const std::string& params = "{}") {
    std::vector<PolicyProblem> problems;
    auto p = compile(purpose, {{field, method, to, json(params), {}}}, problems);
    EXPECT_TRUE(p) << (problems.empty() ? "" : problems[0].message);
    return p;
  }
  std::unique_ptr<CompiledPolicy> compile(const std::string& purpose, std::vector<config::PolicyRule> rules,
                                          std::vector<PolicyProblem>& problems) {
    config::PolicyConfig c;
    c.name = "p";
    c.purpose = purpose;
    c.rules = std::move(rules);
    return CompiledPolicy::compile(c, MethodEnv{keys_, "k1"}, problems);
  }
  // The one problem compiling a one-rule policy reports.
  std::string problem(const std::string& purpose, const std::string& field, const std::string& method,
                      const std::string& to, const std::string& params = "{}") {
    std::vector<PolicyProblem> problems;
    auto p = compile(purpose, {{field, method, to, json(params), {}}}, problems);
    EXPECT_EQ(p, nullptr);
    return problems.size() == 1 ? problems[0].message : "(" + std::to_string(problems.size()) + " problems)";
  }
  // The value written at `to` (nullptr-safe: null when nothing was written).
  sdk::Value run(const CompiledPolicy& p, const std::string& record, const std::string& to,
                 std::vector<FieldAction>* actions = nullptr) {
    sdk::Value rec = json(record), out = sdk::Value::object();
    std::vector<FieldAction> local;
    p.apply(rec, out, actions ? *actions : local);
    const sdk::Value* v = out.at_path(to);
    return v ? *v : sdk::Value();
  }
  testing::TempDir dir_;
  crypto::KeyStore keys_;
};

TEST_F(MethodTest, KeepCopiesAndDropWritesNothingButIsAudited) {
  auto keep = one_rule("analytics", "encounter", "keep", "");
  EXPECT_EQ(sdk::to_json(run(*keep, R"({"encounter":{"department":"心内科"}})", "encounter")),
            R"({"department":"心内科"})");
  auto drop = one_rule("analytics", "subject.name", "drop", "");
  std::vector<FieldAction> actions;
  EXPECT_TRUE(run(*drop, R"({"subject":{"name":"王小明"}})", "subject.name", &actions).is_null());
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(*actions[0].method, "drop");
  EXPECT_EQ(*actions[0].path, "subject.name");
}

TEST_F(MethodTest, TokenIsStableAcrossInstancesSharingTheKeyAndTruncates) {
  auto p = one_rule("analytics", "subject.phone", "token", "channels.phone_token", R"({"length":20})");
  std::string a = run(*p, R"({"subject":{"phone":"13812345678"}})", "channels.phone_token").as_string();
  EXPECT_EQ(a.size(), 20u);
  // A second key store reading the same file (another instance, or after a restart).
  crypto::KeyStore again;
  ASSERT_TRUE(again.load({{"k1", dir_ / "k1.key", {}, {}}}).ok());
  EXPECT_EQ(a, again.hasher("k1")->token("subject.phone", "13812345678", 64).substr(0, 20));
  EXPECT_EQ(run(*p, R"({"subject":{"phone":" 13812345678 "}})", "channels.phone_token").as_string(), a);
  auto list = run(*p, R"({"subject":{"phone":["13812345678","13900001111"]}})", "channels.phone_token");
  ASSERT_TRUE(list.is_array());
  EXPECT_EQ(list.as_array()[0].as_string(), a);
  EXPECT_NE(list.as_array()[1].as_string(), a);
}

TEST_F(MethodTest, MaskKeepsFirstAndLastAndSurnames) {
  auto phone = one_rule("outreach", "subject.phone", "mask", "x.phone", R"({"keep_first":3,"keep_last":4})");
  EXPECT_EQ(run(*phone, R"({"subject":{"phone":"13812345678"}})", "x.phone").as_string(), "138****5678");
  // Too short to show first 3 and last 4: everything masked.
  EXPECT_EQ(run(*phone, R"({"subject":{"phone":"1234567"}})", "x.phone").as_string(), "*******");
  auto name = one_rule("outreach", "subject.name", "mask", "x.name", R"({"keep_first":1,"keep_last":1})");
  EXPECT_EQ(run(*name, R"({"subject":{"name":"王小明"}})", "x.name").as_string(), "王*明");
  EXPECT_EQ(run(*name, R"({"subject":{"name":"唐芬"}})", "x.name").as_string(), "**");
  auto surname = one_rule("outreach", "subject.name", "mask", "patient.surname", R"({"surname_only":true})");
  EXPECT_EQ(run(*surname, R"({"subject":{"name":"王小明"}})", "patient.surname").as_string(), "王");
  EXPECT_EQ(run(*surname, R"({"subject":{"name":"欧阳修文"}})", "patient.surname").as_string(), "欧阳");
  EXPECT_EQ(run(*surname, R"({"subject":{"name":"欧阳"}})", "patient.surname").as_string(), "欧");
  EXPECT_EQ(run(*surname, R"({"subject":{"name":"Zhang Wei"}})", "patient.surname").as_string(), "Zhang");
  EXPECT_TRUE(run(*surname, R"({"subject":{"name":"王"}})", "patient.surname").is_null());
  EXPECT_NE(problem("outreach", "subject.name", "mask", "x", R"({"surname_only":true,"keep_first":2})")
                .find("cannot be combined"),
            std::string::npos);
}

TEST_F(MethodTest, EncryptMakesDeterministicHandlesOnlyTheKeyOpens) {
  auto p = one_rule("outreach", "subject.phone", "encrypt", "channels.phone_handle");
  std::vector<FieldAction> actions;
  std::string h = run(*p, R"({"subject":{"phone":"13812345678"}})", "channels.phone_handle", &actions).as_string();
  EXPECT_EQ(h.rfind("mgh1.k1.", 0), 0u) << h;
  EXPECT_EQ(h.find("13812345678"), std::string::npos);
  EXPECT_EQ(run(*p, R"({"subject":{"phone":"13812345678"}})", "channels.phone_handle").as_string(), h);
  EXPECT_NE(run(*p, R"({"subject":{"phone":"13812345679"}})", "channels.phone_handle").as_string(), h);
  ASSERT_EQ(actions.size(), 1u);
  ASSERT_NE(actions[0].key_id, nullptr);
  EXPECT_EQ(*actions[0].key_id, "k1");
  std::string plain;
  ASSERT_TRUE(keys_.open_handle(h, plain).ok());
  EXPECT_EQ(plain, "13812345678");
}

TEST_F(MethodTest, GeneralizeDatesAgesRegionsAndAmounts) {
  auto year = one_rule("analytics", "subject.birth_date", "generalize", "patient.birth_year", R"({"level":"year"})");
  EXPECT_EQ(run(*year, R"({"subject":{"birth_date":"1949-12-31"}})", "patient.birth_year").as_int(), 1949);
  EXPECT_TRUE(run(*year, R"({"subject":{"birth_date":"1949-02-30"}})", "patient.birth_year").is_null());
  EXPECT_TRUE(run(*year, R"({"subject":{"birth_date":"12/31/1949"}})", "patient.birth_year").is_null());
  auto month = one_rule("analytics", "encounter.started_at", "generalize", "x.m", R"({"level":"month"})");
  EXPECT_EQ(run(*month, R"({"encounter":{"started_at":"2026-05-05T08:34:00+08:00"}})", "x.m").as_string(), "2026-05");
  auto date = one_rule("analytics", "encounter.started_at", "generalize", "x.d", R"({"level":"date"})");
  EXPECT_EQ(run(*date, R"({"encounter":{"started_at":"2026-05-05T08:34:00+08:00"}})", "x.d").as_string(), "2026-05-05");

  auto band = one_rule("analytics", "subject.birth_date", "generalize", "patient.age_band", R"({"level":"age_band"})");
  auto band_at = [&](const char* birth, const char* at) {
    return run(*band, std::string(R"({"occurred_at":")") + at + R"(","subject":{"birth_date":")" + birth + "\"}}",
               "patient.age_band");
  };
  EXPECT_EQ(band_at("1980-06-15", "2026-06-14T10:00:00+08:00").as_string(), "45-49");  // the day before: 45
  EXPECT_EQ(band_at("1981-06-15", "2026-06-15T10:00:00+08:00").as_string(), "45-49");  // birthday: 45
  EXPECT_EQ(band_at("1981-06-15", "2026-06-14T10:00:00+08:00").as_string(), "40-44");
  EXPECT_EQ(band_at("1937-01-01", "2026-12-31T00:00:00Z").as_string(), "85-89");  // 89: still a band
  EXPECT_EQ(band_at("1936-01-01", "2026-01-01T00:00:00Z").as_string(), "90+");    // 90: collapsed
  EXPECT_EQ(band_at("1920-01-01", "2026-01-01T00:00:00Z").as_string(), "90+");
  EXPECT_TRUE(band_at("2027-01-01", "2026-01-01T00:00:00Z").is_null());  // born after the event

  auto region = one_rule("analytics", "subject.address", "generalize", "patient.region", R"({"level":"region"})");
  auto reg = [&](const char* a) {
    return sdk::to_json(run(*region, std::string(R"({"subject":{"address":")") + a + "\"}}", "patient.region"));
  };
  EXPECT_EQ(reg("四川省成都市某区某路97号1930室"), R"({"province":"四川省","city":"成都市"})");
  EXPECT_EQ(reg("北京市朝阳区某街道1号"), R"({"province":"北京市","city":"北京市"})");
  EXPECT_EQ(reg("广西壮族自治区南宁市青秀区某路8号"), R"({"province":"广西壮族自治区","city":"南宁市"})");
  EXPECT_EQ(reg("四川省阿坝藏族羌族自治州某县"), R"({"province":"四川省","city":"阿坝藏族羌族自治州"})");
  EXPECT_EQ(reg("浙江省杭州市西湖区某路1号"), R"({"province":"浙江省","city":"杭州市"})");
  EXPECT_EQ(reg("广东省广州市天河区"), R"({"province":"广东省","city":"广州市"})");
  EXPECT_EQ(reg("某区某路97号"), "null");  // no province: nothing rather than a guess
  auto province = one_rule("analytics", "subject.address", "generalize", "x.p", R"({"level":"province"})");
  EXPECT_EQ(run(*province, R"({"subject":{"address":"浙江省杭州市西湖区"}})", "x.p").as_string(), "浙江省");

  auto amount = one_rule("analytics", "charge.amount_cny", "generalize", "x.a", R"({"level":"amount_band"})");
  auto amt = [&](const char* v) {
    return run(*amount, std::string(R"({"charge":{"amount_cny":)") + v + "}}", "x.a");
  };
  EXPECT_EQ(amt("99.99").as_string(), "0-100");
  EXPECT_EQ(amt("100").as_string(), "100-500");
  EXPECT_EQ(amt("4052.03").as_string(), "1000-5000");
  EXPECT_EQ(amt("25000").as_string(), "10000+");
  auto custom = one_rule("analytics", "x", "generalize", "y", R"({"level":"amount_band","buckets":[0,50]})");
  EXPECT_EQ(run(*custom, R"({"x":70})", "y").as_string(), "50+");
  EXPECT_NE(problem("analytics", "x", "generalize", "y", R"({"level":"year","buckets":[1,2]})").find("amount_band only"),
            std::string::npos);
}

TEST_F(MethodTest, DateShiftMovesEveryRecordOfAPatientByTheSameOffset) {
  auto p = one_rule("analytics", "encounter.started_at", "date_shift", "encounter.started_at", R"({"days":30})");
  auto shifted = [&](const std::string& token, const std::string& at) {
    return run(*p, R"({"patient":{"token":")" + token + R"("},"encounter":{"started_at":")" + at + "\"}}",
               "encounter.started_at");
  };
  auto days_between = [](const std::string& a, const std::string& b) {
    auto parse = [](const std::string& s) {
      return std::chrono::sys_days{std::chrono::year_month_day{
          std::chrono::year{std::stoi(s.substr(0, 4))}, std::chrono::month{unsigned(std::stoi(s.substr(5, 2)))},
          std::chrono::day{unsigned(std::stoi(s.substr(8, 2)))}}};
    };
    return static_cast<int>((parse(b) - parse(a)).count());
  };
  std::set<int> offsets;
  for (int patient = 0; patient < 200; ++patient) {
    std::string token = keys_.hasher("k1")->token("subject.mrn", "MRN" + std::to_string(patient));
    std::string first = shifted(token, "2026-03-01T08:30:00+08:00").as_string();
    std::string later = shifted(token, "2026-03-08T17:05:00+08:00").as_string();
    int offset = days_between("2026-03-01", first);
    EXPECT_GE(offset, -30);
    EXPECT_LE(offset, 30);
    EXPECT_NE(offset, 0);
    EXPECT_EQ(days_between(first, later), 7) << "the interval between one patient's visits is kept";
    EXPECT_EQ(first.substr(10), "T08:30:00+08:00") << "time of day and offset are kept";
    EXPECT_EQ(later.substr(10), "T17:05:00+08:00");
    offsets.insert(offset);
  }
  // 200 patients over 60 possible offsets: a per-patient offset spreads out.
  EXPECT_GT(offsets.size(), 40u);
  // Across a month and a year boundary, and for plain dates.
  std::string t = keys_.hasher("k1")->token("subject.mrn", "MRN7");
  int off = days_between("2026-03-01", shifted(t, "2026-03-01T08:30:00+08:00").as_string());
  std::string ny = shifted(t, "2026-12-31").as_string();
  EXPECT_EQ(days_between("2026-12-31", ny), off);
  EXPECT_EQ(ny.size(), 10u);
  // No patient token: nothing written (fail closed).
  EXPECT_TRUE(run(*p, R"({"encounter":{"started_at":"2026-03-01T08:30:00+08:00"}})", "encounter.started_at").is_null());
  EXPECT_NE(problem("analytics", "x", "date_shift", "x").find("needs parameter 'days'"), std::string::npos);
  EXPECT_NE(problem("analytics", "x", "date_shift", "x", R"({"days":0})").find("from 1 to 3650"), std::string::npos);
}

TEST_F(MethodTest, RetiredKeysMakeNothingNew) {
  for (const char* method : {"token", "encrypt", "date_shift"}) {
    std::string params = std::string(R"({"key":"k0")") + (std::string(method) == "date_shift" ? R"(,"days":5})" : "}");
    EXPECT_NE(problem("outreach", "subject.phone", method, "x.y", params).find("key 'k0', which is retired"),
              std::string::npos)
        << method;
  }
  EXPECT_NE(problem("outreach", "subject.phone", "token", "x.y", R"({"key":"k9"})").find("not declared"),
            std::string::npos);
}

TEST_F(MethodTest, FailsClosedOnWhatWouldReachAnalyticsTargets) {
  EXPECT_NE(problem("analytics", "subject.phone", "encrypt", "channels.phone_handle").find("reversible handle"),
            std::string::npos);
  EXPECT_NE(problem("analytics", "subject.birth_date", "generalize", "x", R"({"level":"date"})").find("exact date"),
            std::string::npos);
  for (const char* field : {"notes", "notes.0.text", "feedback", "feedback.text"})
    EXPECT_NE(problem("analytics", field, "keep", "").find("free text"), std::string::npos) << field;
  // Raw identifiers are never kept, whatever the purpose.
  EXPECT_NE(problem("outreach", "subject.phone", "keep", "channels.phone").find("raw identifier"), std::string::npos);
  // What outreach may do.
  std::vector<PolicyProblem> problems;
  EXPECT_TRUE(compile("outreach",
                      {{"subject.phone", "encrypt", "channels.phone_handle", sdk::Value::object(), {}},
                       {"notes", "keep", "", sdk::Value::object(), {}},
                       {"subject.birth_date", "generalize", "x.d", json(R"({"level":"date"})"), {}}},
                      problems));
}

}  // namespace
}  // namespace medgate::pipeline
