// The free-text scrubber (pipeline/scrub/): what it must find, what it must
// leave alone, and that it is safe on broken UTF-8 and on several threads.
#include "pipeline/scrub/text_scrubber.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../json_value.h"
#include "medgate/sdk/json.h"
#include "pipeline/scrub/address_parts.h"
#include "pipeline/scrub/check_digits.h"
#include "pipeline/scrub/phone_numbers.h"
#include "pipeline/scrub/utf8_text.h"

using namespace medgate;
using pipeline::ScrubCounts;
using pipeline::TextScrubber;

namespace {

using medgate::testing::json;

// GB 11643-1999 as published: weight W_i = 2^(i-1) mod 11 for position i
// counted from the right (the check digit is i = 1), check digit
// (12 - sum mod 11) mod 11, where 10 is written X.
char published_check_digit(const std::string& first17) {
  int sum = 0;
  for (int k = 0; k < 17; ++k) sum += (first17[static_cast<std::size_t>(k)] - '0') * ((1 << (17 - k)) % 11);
  int check = (12 - sum % 11) % 11;
  return check == 10 ? 'X' : static_cast<char>('0' + check);
}

std::string resident_id(const std::string& first17) {
  return first17 + published_check_digit(first17);
}

std::string scrub(const std::string& text, ScrubCounts* counts = nullptr, const sdk::Value* subject = nullptr) {
  TextScrubber s(subject);
  ScrubCounts local;
  return s.scrub(text, counts ? *counts : local);
}

const char* kSubject = R"({
  "name": "王小明", "resident_id": "510107200608155201", "phone": "12000001111", "mrn": "MRN84541427",
  "email": "xm.wang@example.com", "wechat_openid": "oDemo_synthetic_openid_0001",
  "address": "四川省成都市某区某路97号1930室"})";

}  // namespace

// --- resident ID numbers -----------------------------------------------------

TEST(ResidentIdCheckDigit, MatchesThePublishedAlgorithm) {
  for (std::string body : {"11010519491231002", "11010119900307123", "51010720060815520", "44030519851120301",
                           "32010619780405556", "00000000000000000", "99999999999999999"})
    EXPECT_EQ(pipeline::resident_id_check_digit(body), published_check_digit(body)) << body;
  EXPECT_EQ(pipeline::resident_id_check_digit("11010519491231002"), 'X');
}

TEST(ResidentIdCheckDigit, AcceptsUpperAndLowerXAndRejectsAWrongCheckDigit) {
  EXPECT_TRUE(pipeline::is_valid_resident_id("11010519491231002X"));
  EXPECT_TRUE(pipeline::is_valid_resident_id("11010519491231002x"));
  EXPECT_FALSE(pipeline::is_valid_resident_id("110105194912310021"));
  EXPECT_TRUE(pipeline::is_valid_resident_id(resident_id("11010119900307123")));
  EXPECT_FALSE(pipeline::is_valid_resident_id("110101199003071230"));
  EXPECT_FALSE(pipeline::is_valid_resident_id("11010119900307123"));  // 17 digits
}

TEST(LegacyResidentId, NeedsAProvinceCodeAndAValidDate) {
  EXPECT_TRUE(pipeline::scrub::is_valid_legacy_resident_id("110101900307123"));
  EXPECT_TRUE(pipeline::scrub::is_valid_legacy_resident_id("110101960229123"));   // 1996 was a leap year
  EXPECT_FALSE(pipeline::scrub::is_valid_legacy_resident_id("110101900229123"));  // 1990 was not
  EXPECT_FALSE(pipeline::scrub::is_valid_legacy_resident_id("110101901332123"));  // month 13
  EXPECT_FALSE(pipeline::scrub::is_valid_legacy_resident_id("990101900307124"));  // no province 99
}

TEST(TextScrubberIds, FindsEighteenDigitIdsWithAValidCheckDigit) {
  ScrubCounts counts;
  EXPECT_EQ(scrub("身份证11010519491231002X，复诊。", &counts), "身份证[ID]，复诊。");
  EXPECT_EQ(scrub("身份证11010519491231002x，复诊。"), "身份证[ID]，复诊。");
  EXPECT_EQ(scrub("证号" + resident_id("11010119900307123") + "。"), "证号[ID]。");
  EXPECT_EQ(counts.found["ID"], 1);
  // A wrong check digit: not an ID (and no phone or card either).
  EXPECT_EQ(scrub("证号110105194912310021。"), "证号110105194912310021。");
}

TEST(TextScrubberIds, FindsSpacedAndSplitForms) {
  std::string id = resident_id("11010119900307123");  // 110101199003071233
  std::string spaced =
      id.substr(0, 4) + " " + id.substr(4, 4) + " " + id.substr(8, 4) + " " + id.substr(12, 4) + " " + id.substr(16);
  EXPECT_EQ(scrub("身份证 " + spaced + " 已核对"), "身份证 [ID] 已核对");
  EXPECT_EQ(scrub("身份证" + id.substr(0, 6) + "-" + id.substr(6, 8) + "-" + id.substr(14) + "。"), "身份证[ID]。");
  EXPECT_EQ(scrub("身份证 110105 19491231 002X。"), "身份证 [ID]。");
  EXPECT_EQ(scrub("身份证 110105 19491231 002x。"), "身份证 [ID]。");
}

TEST(TextScrubberIds, FindsFullWidthDigits) {
  EXPECT_EQ(scrub("身份证１１０１０５１９４９１２３１００２Ｘ。"), "身份证[ID]。");
}

TEST(TextScrubberIds, FindsFifteenDigitLegacyIdsWithAValidDate) {
  EXPECT_EQ(scrub("旧证110101900307123。"), "旧证[ID]。");
  EXPECT_EQ(scrub("旧证110101960229123。"), "旧证[ID]。");
  EXPECT_EQ(scrub("旧证110101900229123。"), "旧证110101900229123。");
  EXPECT_EQ(scrub("旧证110101901332123。"), "旧证110101901332123。");
  EXPECT_EQ(scrub("编号990101900307124。"), "编号990101900307124。");
}

// --- phone numbers: each written form on its own ------------------------------

struct PhoneForm {
  const char* name;
  const char* written;
};

class TextScrubberPhoneForms : public ::testing::TestWithParam<PhoneForm> {};

TEST_P(TextScrubberPhoneForms, ReplacesTheWholeNumberAndNothingElse) {
  ScrubCounts counts;
  std::string text = std::string("患者家属电话") + GetParam().written + "，请回访。";
  EXPECT_EQ(scrub(text, &counts), "患者家属电话[PHONE]，请回访。") << GetParam().written;
  EXPECT_EQ(counts.found.size(), 1u);
  EXPECT_EQ(counts.found["PHONE"], 1);
}

INSTANTIATE_TEST_SUITE_P(
    Mobiles, TextScrubberPhoneForms,
    ::testing::Values(PhoneForm{"Plain", "13812345678"}, PhoneForm{"PlusSpaced", "+86 138 1234 5678"},
                      PhoneForm{"PlusHyphens", "+86-138-1234-5678"}, PhoneForm{"PlusBlock", "+8613812345678"},
                      PhoneForm{"DoubleZero", "0086 13812345678"}, PhoneForm{"Hyphens", "138-1234-5678"},
                      PhoneForm{"Spaced", "138 1234 5678"}, PhoneForm{"Dots", "138.1234.5678"},
                      PhoneForm{"ParenthesizedPlus", "(+86)13812345678"},
                      PhoneForm{"FullWidth", "１３８１２３４５６７８"},
                      PhoneForm{"FullWidthPlus", "＋８６ １３８ １２３４ ５６７８"},
                      PhoneForm{"FullWidthParentheses", "（＋８６）１３８１２３４５６７８"}),
    [](const auto& info) { return std::string(info.param.name); });

INSTANTIATE_TEST_SUITE_P(Landlines, TextScrubberPhoneForms,
                         ::testing::Values(PhoneForm{"Beijing", "010-62345678"},
                                           PhoneForm{"ShenzhenParentheses", "(0755)26123456"},
                                           PhoneForm{"ShanghaiSpaced", "021 6123 4567"},
                                           PhoneForm{"HangzhouMixed", "0571-8712 3456"},
                                           PhoneForm{"BeijingInternational", "+86 10 6234 5678"},
                                           PhoneForm{"BeijingInternationalTrunkZero", "+86 (0)10 6234 5678"},
                                           PhoneForm{"FullWidthParentheses", "（０７５５）２６１２３４５６"}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(TextScrubberPhones, KeepsParenthesesThatAreNotPartOfTheNumber) {
  EXPECT_EQ(scrub("联系人（13812345678）"), "联系人（[PHONE]）");
  EXPECT_EQ(scrub("联系人(电话13812345678)"), "联系人(电话[PHONE])");
}

TEST(TextScrubberPhones, SeparatesNeighbouringNumbers) {
  ScrubCounts counts;
  EXPECT_EQ(scrub("电话13812345678 13912345678 010-62345678", &counts), "电话[PHONE] [PHONE] [PHONE]");
  EXPECT_EQ(counts.found["PHONE"], 3);
  EXPECT_EQ(scrub("2026-11-22 13812345678"), "2026-11-22 [PHONE]");
}

TEST(TextScrubberPhones, FindsForeignNumbersAfterAPlus) {
  EXPECT_EQ(scrub("香港电话+852 9123 4567。"), "香港电话[PHONE]。");
  EXPECT_EQ(scrub("美国+1 650 253 0000。"), "美国[PHONE]。");
}

// libphonenumber's metadata knows no Shanghai or Beijing numbers starting
// 8004, but written with a trunk 0 or +86 they are still phone numbers to a
// reader: replaced (fail closed) when they stand alone, not inside a longer
// run of digit groups.
TEST(TextScrubberPhones, ReplacesPossibleNumbersWrittenWithATrunkPrefix) {
  ASSERT_FALSE(pipeline::scrub::is_valid_phone_number(false, "02180042568"));
  EXPECT_EQ(scrub("座机02180042568。"), "座机[PHONE]。");
  EXPECT_EQ(scrub("座机 021-8004 2568。"), "座机 [PHONE]。");
  EXPECT_EQ(scrub("座机 +86 10 8004 2568。"), "座机 [PHONE]。");
  EXPECT_EQ(scrub("卡号 6222 0212 3456 7890"), "卡号 6222 0212 3456 7890");
  EXPECT_EQ(scrub("编号 2180042568"), "编号 2180042568");  // no trunk 0, not valid: data
}

// Numbers that look like data, not people: left as they are.
TEST(TextScrubberPhones, LeavesOtherNumbersAlone) {
  for (const char* text : {
           "订单号202611220001已付款。",  // order number
           "订单12345678901234。",        // longer order number (fails Luhn)
           "复诊日期20261122。",          // date
           "2026-11-22 10:30复诊。",      // date and time (not 020-2611 2210)
           "费用1380.50元，自付￥260。",  // prices
           "诊断E11.9、I10、K29.7。",     // ICD-10 codes
           "邮编610041。",                // postcode
           "二甲双胍500mg，每日3次。",    // dose
           "号码12345678901无效。",       // 11 digits, no mobile range
           "400-810-8888是客服。",        // business number without trunk prefix
       })
    EXPECT_EQ(scrub(text), text);
}

// The shortcut that skips Parse for Chinese numbers must decide as Parse does.
TEST(PhoneNumbers, DecidesAsLibphonenumberParseDoes) {
  std::mt19937 rng(20261122);
  auto digits = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng() % 10));
    return s;
  };
  const char* prefixes[] = {"13",   "15",      "17",   "18",    "19",   "14",    "16",   "12",
                            "10",   "010",     "021",  "0755",  "0571", "020",   "0311", "0",
                            "8613", "0086138", "0086", "00852", "+86",  "+8610", "+852", "+1"};
  int valid = 0, compared = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string prefix = prefixes[rng() % std::size(prefixes)];
    std::string written = prefix + digits(5 + static_cast<int>(rng() % 9));
    bool plus = written[0] == '+';
    std::string_view d = std::string_view(written).substr(plus ? 1 : 0);
    bool ours = pipeline::scrub::is_valid_phone_number(plus, d);
    if (ours) ++valid;
    if (!pipeline::scrub::china_national_number(plus, d).empty() || ours) {
      ++compared;
      EXPECT_EQ(ours, pipeline::scrub::parses_as_valid_phone_number(written)) << written;
    }
  }
  // The sample holds numbers of the accepted shapes, valid ones among them.
  EXPECT_GT(compared, 1000);
  EXPECT_GT(valid, 200);
}

// libphonenumber logs what it cannot parse; the scrubber installs a null logger.
TEST(PhoneNumbers, NeverPrintInput) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  for (const char* written : {"+86 138 1234 5678 999999", "+999 13812345678", "+", "++8613812345678", "0086"})
    pipeline::scrub::parses_as_valid_phone_number(written);
  pipeline::scrub::is_valid_phone_number(true, "99913812345678");
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

// --- e-mail addresses --------------------------------------------------------

TEST(TextScrubberEmail, FindsAddresses) {
  ScrubCounts counts;
  EXPECT_EQ(scrub("邮箱zhang.wei+notes@163.com，已发送。", &counts), "邮箱[EMAIL]，已发送。");
  EXPECT_EQ(counts.found["EMAIL"], 1);
  EXPECT_EQ(scrub("邮箱 li_na@hospital.example.cn."), "邮箱 [EMAIL].");
  EXPECT_EQ(scrub("邮箱zhang＠qq.com"), "邮箱[EMAIL]");
  EXPECT_EQ(scrub("13812345678@163.com"), "[EMAIL]");  // one address, not a phone
  // The domain is the longest run of whole labels that is one: what follows
  // is scrubbed on its own, and scrubbing again finds nothing new.
  EXPECT_EQ(scrub("a@b.cn.13812345678"), "[EMAIL].[PHONE]");
  EXPECT_EQ(scrub("a@b.cn-，"), "[EMAIL]-，");
  sdk::Value subject = json(kSubject);
  EXPECT_EQ(scrub("wei@163.co510107200608155201m", nullptr, &subject), "[EMAIL]");
}

TEST(TextScrubberEmail, LeavesOtherAtSignsAlone) {
  for (const char* text : {"@药剂科 请核对", "a@b", "user@localhost", "x@y.c", "邮件@后补"})
    EXPECT_EQ(scrub(text), text);
}

// --- bank cards --------------------------------------------------------------

TEST(TextScrubberCards, FindsLuhnValidNumbersInBlocksAndGroupsOfFour) {
  ScrubCounts counts;
  EXPECT_EQ(scrub("卡号6222021234567894。", &counts), "卡号[CARD]。");
  EXPECT_EQ(scrub("卡号 6222 0212 3456 7894 。"), "卡号 [CARD] 。");
  EXPECT_EQ(scrub("卡号4111-1111-1111-1111"), "卡号[CARD]");
  EXPECT_EQ(scrub("卡号6212 2620 1234 5678 901"), "卡号[CARD]");
  EXPECT_EQ(counts.found["CARD"], 1);
}

TEST(TextScrubberCards, LeavesLuhnInvalidNumbersAlone) {
  EXPECT_EQ(scrub("卡号6222021234567890。"), "卡号6222021234567890。");
  EXPECT_EQ(scrub("卡号 6222 0212 3456 7890"), "卡号 6222 0212 3456 7890");
}

TEST(TextScrubberCards, ResidentIdsAndPhonesComeFirst) {
  // 18 digits that pass both the GB 11643 check and Luhn: an ID.
  std::string both;
  for (int n = 0; n < 100000 && both.empty(); ++n) {
    std::string id = resident_id("1101011990" + std::to_string(1000000 + n));
    if (pipeline::scrub::passes_luhn(id)) both = id;
  }
  ASSERT_FALSE(both.empty());
  ScrubCounts counts;
  EXPECT_EQ(scrub("号码" + both, &counts), "号码[ID]");
  EXPECT_EQ(counts.found.count("CARD"), 0u);
  // +86 138 1234 5678 has 13 digits; read as a phone number, whatever Luhn says.
  EXPECT_EQ(scrub("+86 138 1234 5670"), "[PHONE]");
}

// --- the record's own identifiers ----------------------------------------------

TEST(TextScrubberSubject, FindsTheNameAlsoSpacedAndTheGivenNameAlone) {
  sdk::Value subject = json(kSubject);
  ScrubCounts counts;
  EXPECT_EQ(scrub("患者王小明，家属称小明昨日发热；签名：王 小 明。", &counts, &subject),
            "患者[NAME]，家属称[NAME]昨日发热；签名：[NAME]。");
  EXPECT_EQ(counts.found["NAME"], 3);
  sdk::Value two = json(R"({"name":"唐芬"})");
  EXPECT_EQ(scrub("唐芬，芬芳", nullptr, &two), "[NAME]，芬芳");  // no one-character given name
  sdk::Value compound = json(R"({"name":"欧阳小明"})");
  EXPECT_EQ(scrub("欧阳小明、小明、阳小", nullptr, &compound), "[NAME]、[NAME]、阳小");
  sdk::Value latin = json(R"({"name":"Zhang Wei"})");
  EXPECT_EQ(scrub("Patient Zhang Wei called.", nullptr, &latin), "Patient [NAME] called.");
}

TEST(TextScrubberSubject, FindsAddressPartsBelowCityLevel) {
  sdk::Value subject = json(kSubject);
  ScrubCounts counts;
  EXPECT_EQ(scrub("家住成都市某区某路97号1930室，", &counts, &subject), "家住成都市[ADDRESS]，");
  EXPECT_EQ(counts.found["ADDRESS"], 1);  // adjacent parts are one mention
  EXPECT_EQ(scrub("送到1930室；某路97号附近；某区医院", nullptr, &subject),
            "送到[ADDRESS]；[ADDRESS]附近；[ADDRESS]医院");
  EXPECT_EQ(scrub("沿某路走", nullptr, &subject), "沿[ADDRESS]走");
  EXPECT_EQ(scrub("97号床，四川省成都市", nullptr, &subject), "97号床，四川省成都市");  // house number alone, region
}

// Address parts are worked out only for a text that may hold one; what is
// found must be what working them out with the other terms would find: of
// two equal terms the one the subject lists first keeps its kind, and a name
// that equals a later address part is still looked for with spaces.
TEST(TextScrubberSubject, AddressPartsAndOtherTermsTakeTurnsAsListed) {
  sdk::Value name_first = json(R"({"name":"某路","address":"四川省成都市某区某路97号"})");
  sdk::Value address_first = json(R"({"address":"四川省成都市某区某路97号","name":"某路"})");
  EXPECT_EQ(scrub("在某路等", nullptr, &name_first), "在[NAME]等");
  EXPECT_EQ(scrub("在某 路等", nullptr, &name_first), "在[NAME]等");
  EXPECT_EQ(scrub("住某路97号", nullptr, &name_first), "住[ADDRESS]");  // the longer term first
  EXPECT_EQ(scrub("在某路等", nullptr, &address_first), "在[ADDRESS]等");
  EXPECT_EQ(scrub("在某 路等", nullptr, &address_first), "在某 路等");  // the name was the address part's
  // A text without any suffix character cannot hold a part, but still the name.
  sdk::Value both = json(R"({"name":"王小明","address":"四川省成都市某区某路97号1930室"})");
  EXPECT_EQ(scrub("王小明复诊", nullptr, &both), "[NAME]复诊");
  EXPECT_EQ(scrub("王小明复诊，某区", nullptr, &both), "[NAME]复诊，[ADDRESS]");
}

TEST(AddressParts, EveryPartEndsWithACharacterTheQuickTestLooksFor) {
  using pipeline::scrub::may_hold_address_part;
  for (std::string_view suffix : {"区", "县", "镇", "乡", "路", "街", "道", "巷", "弄", "村", "号", "栋", "幢", "楼", "室", "元"})
    EXPECT_TRUE(may_hold_address_part(std::string("某") + std::string(suffix) + "旁")) << suffix;
  EXPECT_FALSE(may_hold_address_part("常规复诊，无特殊。"));
  EXPECT_FALSE(may_hold_address_part("患者王小明，联系电话13871924865，主诉复诊。"));
  EXPECT_FALSE(may_hold_address_part(""));
  EXPECT_FALSE(may_hold_address_part("\xE8\xB7"));  // 路 cut short
  // Generated addresses: each part passes the quick test, and so does any
  // text holding it.
  std::mt19937 rng(20261124);
  const char* pieces[] = {"四川省", "成都市", "某", "朝阳", "区", "县", "镇", "乡", "路", "街道", "大道", "巷", "弄",
                          "村", "号", "栋", "幢", "楼", "单元", "室", "97", "1930", "-", "，", " ", "A", "市场"};
  for (int n = 0; n < 20000; ++n) {
    std::string address;
    for (int k = std::uniform_int_distribution<int>(1, 12)(rng); k > 0; --k)
      address += pieces[std::uniform_int_distribution<std::size_t>(0, std::size(pieces) - 1)(rng)];
    for (std::string_view part : pipeline::scrub::address_parts_below_city(address)) {
      ASSERT_TRUE(may_hold_address_part(part)) << address << " / " << part;
      ASSERT_TRUE(may_hold_address_part("见" + std::string(part) + "旁")) << address << " / " << part;
    }
  }
}

TEST(AddressParts, SplitsAfterProvinceAndCityBySuffix) {
  auto parts = [](std::string_view a) {
    std::vector<std::string> out;
    for (std::string_view p : pipeline::scrub::address_parts_below_city(a)) out.emplace_back(p);
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(parts("四川省成都市某区某路97号1930室"), (V{"某区", "某路97号", "某路", "1930室"}));
  EXPECT_EQ(parts("北京市朝阳区建国路88号3号楼2单元501室"),
            (V{"朝阳区", "建国路88号", "建国路", "3号楼", "2单元", "501室"}));
  EXPECT_EQ(parts("浙江省杭州市西湖区文三街道"), (V{"西湖区", "文三街道"}));
  EXPECT_EQ(parts("广西壮族自治区南宁市青秀区某镇某村"), (V{"青秀区", "某镇", "某村"}));
  EXPECT_EQ(parts("四川省某县某乡"), (V{"某县", "某乡"}));
  EXPECT_EQ(parts("四川省成都市"), V{});
}

TEST(TextScrubberSubject, FindsMrnOpenidEmailAndOwnNumbersInAnyForm) {
  sdk::Value subject = json(kSubject);
  ScrubCounts counts;
  EXPECT_EQ(scrub("病案号MRN84541427，即84541427；openid oDemo_synthetic_openid_0001；邮件xm.wang@example.com", &counts,
                  &subject),
            "病案号[MRN]，即[MRN]；openid [ID]；邮件[EMAIL]");
  EXPECT_EQ(counts.found["MRN"], 2);
  EXPECT_EQ(counts.found["ID"], 1);
  EXPECT_EQ(counts.found["EMAIL"], 1);
  // The subject's phone is not a valid number and its ID has a wrong check
  // digit: found all the same, as written and in other forms.
  EXPECT_EQ(scrub("电话12000001111，又120-0000-1111，+86 120 0000 1111", nullptr, &subject),
            "电话[PHONE]，又[PHONE]，[PHONE]");
  EXPECT_EQ(scrub("身份证510107200608155201，即510107 20060815 5201", nullptr, &subject), "身份证[ID]，即[ID]");
  EXPECT_EQ(scrub("订单845414270", nullptr, &subject), "订单845414270");  // MRN digits inside a longer number
}

TEST(TextScrubberSubject, AcceptsIntegersListsAndNoSubject) {
  sdk::Value subject = json(R"({"phone":[12000001111,"12000002222"],"mrn":84541427,"name":["王小明"]})");
  EXPECT_EQ(scrub("12000001111、12000002222、84541427、王小明", nullptr, &subject), "[PHONE]、[PHONE]、[MRN]、[NAME]");
  // Further values (<member>_others) and identifiers a merge retired (prior_<member>) count too.
  sdk::Value more = json(R"({"mrn":"MRN84541427","mrn_others":["ALT-7700123"],"prior_mrn":"OLD-5500456",)"
                         R"("prior_mrn_others":["OLD-5500789"],"name_others":["王晓明"]})");
  EXPECT_EQ(scrub("新号ALT-7700123，旧号OLD-5500456、OLD-5500789，又名王晓明", nullptr, &more),
            "新号[MRN]，旧号[MRN]、[MRN]，又名[NAME]");
  // So do the next of kin's (kin_<member>): a relative a note names beside the patient.
  sdk::Value kin = json(R"({"name":"王小明","kin_name":["李秀英","Zhang Wei"],"kin_phone":"12000003333",)"
                        R"("kin_address":"广东省深圳市南山区科技园路18号"})");
  EXPECT_EQ(scrub("家属李秀英陪同（电话12000003333），女婿Zhang Wei住科技园路18号", nullptr, &kin),
            "家属[NAME]陪同（电话[PHONE]），女婿[NAME]住[ADDRESS]");
  EXPECT_EQ(scrub("家属李秀英", nullptr, &more), "家属李秀英");  // not a term without kin_name
  sdk::Value not_object = json(R"("王小明")");
  EXPECT_EQ(scrub("王小明", nullptr, &not_object), "王小明");
  EXPECT_EQ(scrub("王小明"), "王小明");
}

// --- counts, UTF-8, idempotence, threads -------------------------------------

TEST(TextScrubber, CountsEachTypeAndKeepsEverythingElse) {
  sdk::Value subject = json(kSubject);
  ScrubCounts counts;
  std::string out = scrub(
      "王小明，电话13812345678或0755-26123456，身份证11010519491231002X，邮箱a@b.cn，卡6222021234567894，住某路97号。",
      &counts, &subject);
  EXPECT_EQ(out, "[NAME]，电话[PHONE]或[PHONE]，身份证[ID]，邮箱[EMAIL]，卡[CARD]，住[ADDRESS]。");
  std::map<std::string, int> expected{{"NAME", 1}, {"PHONE", 2}, {"ID", 1}, {"EMAIL", 1}, {"CARD", 1}, {"ADDRESS", 1}};
  EXPECT_EQ(counts.found, expected);
}

TEST(TextScrubber, PlainTextComesBackUnchangedWithoutCounts) {
  sdk::Value subject = json(kSubject);
  ScrubCounts counts;
  EXPECT_EQ(scrub("常规复诊，无特殊。血压120/80，心率72。", &counts, &subject),
            "常规复诊，无特殊。血压120/80，心率72。");
  EXPECT_TRUE(counts.found.empty());
  EXPECT_EQ(scrub(""), "");
}

TEST(TextScrubber, IsSafeOnBrokenUtf8) {
  sdk::Value subject = json(kSubject);
  // A truncated character at the end, stray bytes next to identifiers.
  EXPECT_EQ(scrub("电话13812345678\xE5\xB0"), "电话[PHONE]\xE5\xB0");
  EXPECT_EQ(scrub("\xFF"
                  "13812345678\x80"),
            "\xFF[PHONE]\x80");
  EXPECT_EQ(scrub("\x80王小明\xE5", nullptr, &subject), "\x80[NAME]\xE5");
  EXPECT_EQ(scrub("\xEF\xBC"
                  "13812345678\xEF"),
            "\xEF\xBC[PHONE]\xEF");
  // A broken subject value never cuts a character of the text: 王 + the first
  // two bytes of 小 must not match inside 王小明.
  sdk::Value broken = json(R"({"name":"x"})");
  broken["name"] = sdk::Value(std::string("王\xE5\xB0"));
  std::string out = scrub("王小明来了", nullptr, &broken);
  EXPECT_TRUE(pipeline::scrub::is_valid_utf8(out)) << out;
  for (std::string text : {"患者王小明，电话１３８１２３４５６７８，住某区某路97号", "邮箱＠＠x@y.cn", "１２３"}) {
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      std::string part = text.substr(0, cut);
      std::string scrubbed = scrub(part, nullptr, &subject);
      if (pipeline::scrub::is_valid_utf8(part)) {
        EXPECT_TRUE(pipeline::scrub::is_valid_utf8(scrubbed)) << part;
      }
    }
  }
}

TEST(TextScrubber, ScrubbingTwiceChangesNothingMore) {
  sdk::Value subject = json(kSubject);
  for (const char* text : {"王小明 +86 138 1234 5678 / 11010519491231002X / a@b.cn / 6222 0212 3456 7894",
                           "(0755)26123456 2026-11-22 13812345678 0086 13912345678 某路97号1930室",
                           "１３８１２３４５６７８＠qq.com x@y.com@z.cn"}) {
    ScrubCounts first, second;
    TextScrubber s(&subject);
    std::string once = s.scrub(text, first);
    EXPECT_EQ(s.scrub(once, second), once);
    EXPECT_TRUE(second.found.empty()) << once;
  }
}

TEST(TextScrubber, RunsOnSeveralThreadsAtOnce) {
  sdk::Value subject = json(kSubject);
  const std::vector<std::string> texts = {
      "患者王小明，电话13812345678，身份证11010519491231002X。", "家属电话+86 10 6234 5678，邮箱a@b.cn。",
      "卡号6222 0212 3456 7894，住某路97号1930室。", "常规复诊，无特殊。", "香港+852 9123 4567，(0755)26123456"};
  std::vector<std::string> expected;
  for (const auto& t : texts) expected.push_back(scrub(t, nullptr, &subject));
  TextScrubber shared(&subject);
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      TextScrubber own(&subject);
      for (int i = 0; i < 300; ++i)
        for (std::size_t k = 0; k < texts.size(); ++k) {
          ScrubCounts a, b;
          if (shared.scrub(texts[k], a) != expected[k] || own.scrub(texts[k], b) != expected[k]) ++mismatches[t];
        }
    });
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}
