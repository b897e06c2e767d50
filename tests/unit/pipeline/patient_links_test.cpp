// Merges: after a merge record links a prior identifier's token to the
// surviving patient's, records with the prior identifier get the surviving
// token, across restarts; chains resolve; nothing but tokens is stored.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "../json_value.h"
#include "../temp_dir.h"
#include "crypto/key_store.h"
#include "medgate/sdk/json.h"
#include "pipeline/patient_identifier.h"
#include "pipeline/patient_links.h"

namespace medgate::pipeline {
namespace {

using testing::json;

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class PatientMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string key = dir_ / "k.key";
    std::ofstream(key) << std::string(64, 'b') << "\n";
    chmod(key.c_str(), 0600);
    ASSERT_TRUE(keys_.load({{"k1", key, {}, {}}}).ok());
    hasher_ = keys_.hasher("k1");
  }
  std::string links_path() const { return dir_ / "links"; }
  std::string token(const char* field, const char* value) const { return hasher_->token(field, value); }

  testing::TempDir dir_;
  crypto::KeyStore keys_;
  const crypto::KeyedHasher* hasher_ = nullptr;
};

TEST_F(PatientMergeTest, RecordsWithTheMergedMrnGetTheSurvivingToken) {
  const std::string survivor = token("subject.mrn", "MRN-A"), prior = token("subject.mrn", "MRN-B");
  {
    PatientLinks links(links_path());
    ASSERT_TRUE(links.open().ok());
    PatientIdentifier id(*hasher_, {"subject.resident_id", "subject.mrn"}, &links);
    sdk::Value before = json(R"({"event_type":"visit","subject":{"mrn":"MRN-B"}})");
    EXPECT_EQ(id.identify(before), prior);  // not merged yet
    sdk::Value merge = json(R"({"event_type":"merge","subject":{"mrn":"MRN-A","prior_mrn":"MRN-B"}})");
    EXPECT_EQ(id.identify(merge), survivor);
    sdk::Value after = json(R"({"event_type":"visit","subject":{"mrn":"MRN-B"}})");
    EXPECT_EQ(id.identify(after), survivor);
    EXPECT_EQ(after.at_path("patient.token")->as_string(), survivor);
    // A prior identifier on a record that is not a merge links nothing.
    sdk::Value not_merge = json(R"({"event_type":"update","subject":{"mrn":"MRN-C","prior_mrn":"MRN-D"}})");
    id.identify(not_merge);
    EXPECT_EQ(links.size(), 1u);
  }
  // After a restart the link is still there; the file holds tokens only.
  PatientLinks reopened(links_path());
  ASSERT_TRUE(reopened.open().ok());
  EXPECT_EQ(reopened.resolve(prior), survivor);
  const std::string stored = file_text(links_path());
  EXPECT_EQ(stored, prior + " " + survivor + "\n");
  EXPECT_EQ(stored.find("MRN"), std::string::npos);
}

TEST_F(PatientMergeTest, ResidentIdSurvivorAndMrnPrior) {
  PatientLinks links(links_path());
  ASSERT_TRUE(links.open().ok());
  PatientIdentifier id(*hasher_, {"subject.resident_id", "subject.mrn"}, &links);
  sdk::Value merge = json(
      R"({"event_type":"merge","subject":{"resident_id":"11010519491231002X","mrn":"MRN-A","prior_mrn":"MRN-B"}})");
  const std::string survivor = token("subject.resident_id", "11010519491231002X");
  EXPECT_EQ(id.identify(merge), survivor);
  sdk::Value later = json(R"({"event_type":"visit","subject":{"mrn":"MRN-B"}})");
  EXPECT_EQ(id.identify(later), survivor);
}

TEST_F(PatientMergeTest, ChainsResolveToTheEndAndCyclesAreNotCreated) {
  PatientLinks links(links_path());
  ASSERT_TRUE(links.open().ok());
  ASSERT_TRUE(links.link("bb", "aa").ok());  // B -> A
  ASSERT_TRUE(links.link("aa", "cc").ok());  // A -> C: B follows
  EXPECT_EQ(links.resolve("bb"), "cc");
  EXPECT_EQ(links.resolve("aa"), "cc");
  ASSERT_TRUE(links.link("cc", "bb").ok());  // already one patient: nothing to do
  EXPECT_EQ(links.size(), 2u);
  EXPECT_EQ(links.resolve("cc"), "cc");
  EXPECT_FALSE(links.link("not a token", "aa").ok());
}

TEST_F(PatientMergeTest, MalformedFileIsAnErrorButACutLastLineIsNot) {
  std::ofstream(links_path()) << "aa bb\nzz yy\ncc dd\n";
  PatientLinks bad(links_path());
  sdk::Status s = bad.open();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(":2:"), std::string::npos) << s.message();
  std::ofstream(links_path()) << "aa bb\ncc d";  // the crash cut "cc dd"
  PatientLinks cut(links_path());
  EXPECT_TRUE(cut.open().ok());
  EXPECT_EQ(cut.resolve("aa"), "bb");
}

TEST_F(PatientMergeTest, AMergeThatCannotBeStoredFailsTheRecord) {
  PatientLinks links(dir_ / "missing-dir/links");
  ASSERT_TRUE(links.open().ok());
  PatientIdentifier id(*hasher_, {"subject.mrn"}, &links);
  sdk::Value merge = json(R"({"event_type":"merge","subject":{"mrn":"MRN-A","prior_mrn":"MRN-B"}})");
  EXPECT_THROW(id.identify(merge), std::runtime_error);
}

}  // namespace
}  // namespace medgate::pipeline
