// The pieces the HL7 and FHIR mappers share; each mapper's own tests cover
// them in context (his_hl7_test, emr_fhir_test).
#include <gtest/gtest.h>

#include "medgate/sdk/json.h"
#include "profile_codes.h"
#include "profile_datetime.h"
#include "profile_text.h"
#include "subject_members.h"

namespace medgate::profile_mapping {
namespace {

TEST(ProfileText, PersonNames) {
  EXPECT_EQ(person_name("张", {"测试"}, NameOrder::given_first), "张测试");
  EXPECT_EQ(person_name("欧阳", {"测", "试"}, NameOrder::family_first), "欧阳测试");
  EXPECT_EQ(person_name("Doe", {"John", "", "Q"}, NameOrder::given_first), "John Q Doe");
  EXPECT_EQ(person_name("DOE", {"JOHN"}, NameOrder::family_first), "DOE JOHN");
  EXPECT_EQ(person_name("", {}, NameOrder::family_first), "");
}

TEST(ProfileText, PostalAddresses) {
  AddressParts a{{"某路97号", "1930室"}, "成都市", "某区", "四川省", "610000", "CN"};
  EXPECT_EQ(postal_address(a), "四川省成都市某区某路97号1930室");
  a.lines = {"成都市某区某路97号"};  // the street starts with the city and district: not repeated
  EXPECT_EQ(postal_address(a), "四川省成都市某区某路97号");
  a = {{"某区某路1号"}, "北京市", "", "北京市", "", ""};  // a municipality: once
  EXPECT_EQ(postal_address(a), "北京市某区某路1号");
  a = {{"2222 Home Street", "Apt 1"}, "Greensboro", "", "NC", "27401", "USA"};
  EXPECT_EQ(postal_address(a), "2222 Home Street, Apt 1, Greensboro, NC, 27401, USA");
}

TEST(ProfileText, CharactersAndCuts) {
  EXPECT_EQ(characters("张测试a"), 4u);
  EXPECT_EQ(truncated("张测试", 2), "张测");
  EXPECT_TRUE(has_cjk("a张"));
  EXPECT_FALSE(has_cjk("abc\xE2\x80\xA0"));
  EXPECT_FALSE(has_cjk("\xE5\xBC"));  // cut in the middle of a character
}

TEST(ProfileCodes, Icd10AndFlags) {
  EXPECT_EQ(icd10_code("J441"), "J44.1");
  EXPECT_EQ(icd10_code("A18.0+"), "A18.0");
  EXPECT_EQ(icd10_code("M49.0*"), "M49.0");
  EXPECT_EQ(icd10_code("I10"), "I10");
  EXPECT_EQ(icd10_code("I10.x00x002"), "I10.x00x002");
  EXPECT_EQ(icd10_code("I1"), std::nullopt);
  EXPECT_EQ(icd10_code("I10."), std::nullopt);
  EXPECT_EQ(icd10_code("401.9"), std::nullopt);
  EXPECT_STREQ(interpretation("HH"), "critical_high");
  EXPECT_EQ(interpretation("X"), nullptr);
}

TEST(ProfileDateTime, PartsToRfc3339) {
  DateTimeParts t{.year = 2026,
                  .month = 5,
                  .day = 5,
                  .hour = 8,
                  .minute = 30,
                  .second = 0,
                  .date_digits = 8,
                  .fraction = "",
                  .offset = ""};
  EXPECT_EQ(to_rfc3339(t, "+08:00"), "2026-05-05T08:30:00+08:00");
  t.fraction = "5";
  t.offset = "Z";
  EXPECT_EQ(to_rfc3339(t, "+08:00"), "2026-05-05T08:30:00.5Z");
  EXPECT_EQ(to_date(t), "2026-05-05");
  t.day = 32;
  EXPECT_STREQ(date_time_range_problem(t), "day out of range for its month");
  EXPECT_TRUE(is_rfc3339_offset("-05:30"));
  EXPECT_FALSE(is_rfc3339_offset("+24:00"));
}

TEST(SubjectMembers, IdentifierMemberNames) {
  for (const char* ok : {"mrn", "resident_id", "insurance_number", "visit_number2"})
    EXPECT_TRUE(is_identifier_member(ok));
  for (const char* bad : {"", "Mrn", "1mrn", "mrn-no", "address", "birth_date", "mrn_others", "prior_mrn"})
    EXPECT_FALSE(is_identifier_member(bad)) << bad;
  EXPECT_FALSE(is_identifier_member(std::string(65, 'a')));
}

TEST(SubjectMembers, IdentifiersContactsAndAppend) {
  SubjectMembers m, prior;
  m.add("mrn", SubjectMembers::Kind::identifier, "M1");
  m.add("phone", SubjectMembers::Kind::contact, "13800000001");
  m.add("mrn", SubjectMembers::Kind::identifier, "M2");
  m.add("mrn", SubjectMembers::Kind::identifier, "M1");
  m.add("phone", SubjectMembers::Kind::contact, "13800000002");
  prior.add("prior_mrn", SubjectMembers::Kind::identifier, "M0");
  m.append(std::move(prior));
  EXPECT_TRUE(prior.empty());
  EXPECT_EQ(sdk::to_json(m.take()),
            R"({"mrn":"M1","mrn_others":["M2"],"phone":["13800000001","13800000002"],"prior_mrn":"M0"})");
  EXPECT_TRUE(m.take().is_null());
}

}  // namespace
}  // namespace medgate::profile_mapping
