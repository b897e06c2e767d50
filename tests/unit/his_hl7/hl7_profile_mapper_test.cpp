// HL7 v2 -> profile input records. Messages are synthetic, shaped like the
// python-hl7 and HAPI samples; names (测试, DOE^JOHN), phone numbers and
// resident ID numbers are fake (the ID numbers have valid check digits).
#include "hl7_profile_mapper.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <map>

#include "medgate/sdk/json.h"
#include "pipeline/record_normalizer.h"

namespace medgate::his_hl7 {
namespace {

using sdk::Value;
using sdk::hl7::Location;

// ---- Building and mapping messages --------------------------------------------

// Segments joined by CR, as on the wire.
std::string hl7(std::initializer_list<std::string> segments) {
  std::string out;
  for (const std::string& s : segments) out += s + "\r";
  return out;
}

// A segment from {field number: raw value}, for segments with far fields (PV1-44).
std::string segment(const std::string& id, const std::map<std::size_t, std::string>& fields) {
  std::string out = id;
  std::size_t last = fields.empty() ? 0 : fields.rbegin()->first;
  for (std::size_t f = 1; f <= last; ++f) {
    out += '|';
    if (auto it = fields.find(f); it != fields.end()) out += it->second;
  }
  return out;
}

std::string msh(const std::string& type, const std::string& control_id = "MSG00001",
                const std::string& version = "2.5.1") {
  return "MSH|^~\\&|HIS|HOSP01|MEDGATE|GW|20260505083500||" + type + "|" + control_id + "|P|" + version +
         "|||AL|NE||UNICODE UTF-8";
}

// The PID of most tests: MR and NNCHN in PID-3 (and a type nobody maps), a
// Chinese name, address and phones, an e-mail address.
const std::string kPid =
    "PID|1||MRN0001234^^^HOSP01^MR~510107198001011235^^^CHN^NNCHN~Y123^^^^XX||张^测试||19800101|M|||"
    "某区某路97号^1930室^成都市^四川省^610000^CHN||13800000000^PRN^CP~^NET^Internet^test@example.com|"
    "028-85550000^WPN^PH";
const std::string kShortPid = "PID|1||MRN0001234^^^HOSP01^MR||张^测试";

sdk::hl7::Message parsed(const std::string& text) {
  sdk::hl7::Message m;
  sdk::hl7::Result r = sdk::hl7::parse(text, m);
  EXPECT_TRUE(r.ok()) << r.status.message();
  return m;
}

MappingResult mapped(const std::string& text, const MappingOptions& options = default_mapping_options()) {
  return map_message(parsed(text), options);
}

std::string canonical(std::string_view json) {
  Value v;
  sdk::Status s = sdk::parse_json(json, v);
  EXPECT_TRUE(s.ok()) << s.message() << ": " << json;
  return sdk::to_json(v);
}

// The one record of a message, as JSON.
std::string record_json(const std::string& text, const MappingOptions& options = default_mapping_options()) {
  MappingResult r = mapped(text, options);
  EXPECT_TRUE(r.error.ok()) << r.error.status.message();
  EXPECT_EQ(r.records.size(), 1u);
  return r.records.empty() ? "" : sdk::to_json(r.records.front().body);
}

sdk::hl7::Result error_of(const std::string& text, const MappingOptions& options = default_mapping_options()) {
  MappingResult r = mapped(text, options);
  EXPECT_FALSE(r.error.ok());
  EXPECT_TRUE(r.records.empty());
  return r.error;
}

Location at(std::size_t index, const char* id, std::size_t field, std::size_t repetition = 0, std::size_t component = 0,
            std::size_t sequence = 1) {
  return {index, id, sequence, field, repetition, component, 0};
}

// ---- Sample messages, one or more per supported type ---------------------------

const std::string kAdmission = hl7({
    msh("ADT^A01^ADT_A01"), "EVN|A01|20260505083000", kPid,
    segment("PV1", {{1, "1"}, {2, "I"}, {3, "心内科^12^3^HOSP01"}, {19, "V20260505001"}, {44, "20260505083000"}}),
    segment("DG1", {{1, "1"}, {3, "I10^原发性高血压^I10"}, {5, "20260505090000"}, {6, "A"}, {15, "1"}}),
    segment("DG1", {{1, "2"}, {3, "E11900^2型糖尿病^ICD10"}, {6, "F"}, {15, "2"}}),
    segment("DG1", {{1, "3"}, {3, "401.9^HYPERTENSION^I9"}}),  // ICD-9: left out
});

// HAPI's ADT^A04 sample shape, Latin names and a US address.
const std::string kRegistration = hl7({
    "MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|GHH LAB, INC.|GOOD HEALTH HOSPITAL|198808181126|SECURITY|ADT^A04^ADT_A01|"
    "MSG00001|P|2.5",
    "EVN|A04|200701011800|||",
    "PID|1||PATID1234^5^M11^ADT1^MR^GOOD HEALTH HOSPITAL~123456789^^^USSSA^SS||DOE^JOHN^Q||19610615|M||C|"
    "2222 HOME STREET^^GREENSBORO^NC^27401-1020|GL|(555) 555-2004^PRN^PH~^NET^Internet^john.doe@example.com|"
    "(555)555-1234^WPN^PH||S||PATID12345001^2^M10^ADT1^AN^A|444333333|987654^NC",
    "NK1|1|DOE^JANE^M|SPO^SPOUSE||(555)555-5555",
    segment("PV1", {{1, "1"}, {2, "O"}, {3, "^^^GOOD HEALTH HOSPITAL"}, {10, "MED"}, {19, "VN0001"}}),
});

const std::string kTransfer = hl7({
    msh("ADT^A02^ADT_A02"),
    "EVN|A02|20260506100000",
    kShortPid,
    segment("PV1", {{1, "1"}, {2, "I"}, {3, "神经内科^05^2"}, {6, "心内科^12^3"}, {19, "V20260505001"}}),
});

const std::string kDischarge = hl7({
    msh("ADT^A03^ADT_A03"), "EVN|A03|20260510110000", kShortPid,
    segment("PV1", {{2, "I"}, {3, "心内科"}, {44, "20260505083000"}, {45, "20260510110000"}}),
    segment("DG1", {{1, "1"}, {3, "I25.103^冠状动脉粥样硬化性心脏病^ICD-10"}, {15, "1"}}),
    segment("PR1", {{1, "1"}, {3, "88.5601^冠状动脉造影^ICD-9-CM-3"}, {5, "20260506100000"}}),
    segment("PR1", {{1, "2"}, {3, "^无编码的操作"}}),  // no code: left out
});

// A08 with HL7 nulls (""): a null field maps to nothing.
const std::string kUpdateWithNulls = hl7({
    msh("ADT^A08^ADT_A01"),
    "EVN|A08|20260507090000",
    "PID|1||MRN0001234^^^HOSP01^MR~\"\"^^^CHN^NNCHN||\"\"||\"\"|\"\"|||\"\"||\"\"",
    segment("PV1", {{2, "O"}, {3, "\"\""}, {44, "\"\""}}),
});

const std::string kCancelAdmit = hl7({
    msh("ADT^A11^ADT_A09"),
    "EVN|A11|20260505100000",
    kShortPid,
    segment("PV1", {{2, "I"}, {3, "心内科"}}),
});

const std::string kCancelDischarge = hl7({msh("ADT^A13^ADT_A01"), "EVN|A13|20260511090000", kShortPid});

const std::string kAddPerson = hl7({msh("ADT^A28^ADT_A05"), "EVN|A28|20260501080000", kPid, "PV1|1|N"});
const std::string kUpdatePerson = hl7({msh("ADT^A31^ADT_A05"), "EVN|A31|20260502080000", kShortPid});

const std::string kMerge = hl7({
    msh("ADT^A40^ADT_A39"),
    "EVN|A40|20260505100000",
    "PID|1||MRN0009999^^^HOSP01^MR||张^测试",
    "MRG|MRN0001234^^^HOSP01^MR~110101199003071233^^^CHN^NNCHN||||V0001",
});

const std::string kResult = hl7({
    msh("ORU^R01^ORU_R01", "LAB0001"),
    kShortPid,
    "PV1|1|O|内分泌科",
    "ORC|RE|ORD001|LAB001",
    "OBR|1|ORD001|LAB001|GLU^血糖^L|||20260505070000",
    "OBX|1|NM|2345-7^Glucose^LN||6.8|mmol/L|3.9-6.1|H|||F|||20260505080000",
    "OBX|2|ST|5778-6^Color^LN||Yellow\\T\\Amber\\F\\clear||||||F",
    "OBX|3|CWE|HBSAG^乙肝表面抗原^L||NEG^阴性^L|||N|||F",
    "OBX|4|SN|PLT^血小板^L||<^100|10*9/L|125-350|LL|||F",
    "OBX|5|TX|IMP^印象^L||患者张测试，电话13800000000。\\.br\\双肺纹理清晰。||||||F",
    "OBX|6|NM|HGB^血红蛋白^L||130|g/L|||||D",  // deleted: left out
    "NTE|1|L|复查\\F\\随访\\S\\一周后\\E\\确认~第二行",
});

const std::string kCharge = hl7({
    msh("DFT^P03^DFT_P03", "FIN0001", "2.5"),
    "EVN|P03|20260505120000",
    kShortPid,
    "PV1|1|O|内分泌科",
    segment("FT1", {{1, "1"}, {4, "20260505110000"}, {6, "CG"}, {7, "DRUG^西药费"}, {10, "2"}, {11, "35.50&CNY"}}),
    segment("FT1", {{1, "2"}, {6, "CD"}, {7, "LAB^检验费"}, {11, "120.00"}}),
    segment("FT1", {{1, "3"}, {6, "PY"}, {11, "500"}}),  // a payment: left out
    segment("FT1", {{1, "4"}, {4, "20260505"}, {6, "CG"}, {7, "0302^挂号费"}, {10, "3"}, {12, "12&CNY"}}),
    segment("FT1", {{1, "5"}, {6, "CG"}, {7, "EXAM"}, {11, "10&USD"}}),  // another currency: left out
    segment("FT1", {{1, "6"}, {5, "20260505"}, {6, "CG"}, {7, "床位费"}, {11, "80"}}),
});

const std::string kAppointment = hl7({
    msh("SIU^S12^SIU_S12", "APT0001", "2.5"),
    segment("SCH",
            {{1, "APT-P-001"}, {2, "APT-F-001"}, {7, "^复诊"}, {11, "^^^202605101430^202605101500"}, {25, "Booked"}}),
    kShortPid,
    "RGS|1",
    segment("AIL", {{1, "1"}, {3, "内分泌科^^^HOSP01"}, {6, "202605101430"}}),
});

const std::string kAppointmentAisOnly = hl7({
    msh("SIU^S12^SIU_S12", "APT0002", "2.5"),
    "SCH|APT-P-002",
    kShortPid,
    "RGS|1",
    "AIS|1||DIAB^糖尿病复诊|202605111000",
});

// ---- Every record passes the gateway's input contract ---------------------------

TEST(Hl7ProfileMapper, EveryRecordPassesTheInputContract) {
  pipeline::RecordNormalizer normalizer;
  for (const std::string* text :
       {&kAdmission, &kRegistration, &kTransfer, &kDischarge, &kUpdateWithNulls, &kCancelAdmit, &kCancelDischarge,
        &kAddPerson, &kUpdatePerson, &kMerge, &kResult, &kCharge, &kAppointment, &kAppointmentAisOnly}) {
    MappingResult r = mapped(*text);
    ASSERT_TRUE(r.error.ok()) << r.error.status.message() << "\n" << *text;
    ASSERT_FALSE(r.records.empty());
    for (const sdk::Record& record : r.records) {
      Value body = record.body;
      sdk::Status s = normalizer.normalize("his", "2026-11-23T00:00:00.000Z", body);
      EXPECT_TRUE(s.ok()) << s.message() << "\n" << sdk::to_json(record.body);
    }
  }
}

// Every sample cut short at each byte, and with each byte replaced by a
// delimiter, the null's quote or a digit: whatever parses maps to records the
// contract accepts, or to a refusal with a table 0357 code.
TEST(Hl7ProfileMapper, DamagedSamplesMapToValidRecordsOrARefusal) {
  pipeline::RecordNormalizer normalizer;
  std::size_t mapped_count = 0, refused = 0;
  auto check = [&](const std::string& text) {
    sdk::hl7::Message m;
    if (!sdk::hl7::parse(text, m).ok()) return;
    MappingResult r = map_message(m, default_mapping_options());
    if (!r.error.ok()) {
      ++refused;
      EXPECT_TRUE(r.records.empty());
      EXPECT_EQ(r.error.code.size(), 3u) << r.error.status.message();
      return;
    }
    ++mapped_count;
    for (const sdk::Record& record : r.records) {
      Value body = record.body;
      sdk::Status s = normalizer.normalize("his", "2026-11-23T00:00:00.000Z", body);
      EXPECT_TRUE(s.ok()) << s.message() << "\n" << sdk::to_json(record.body);
    }
  };
  for (const std::string* text :
       {&kAdmission, &kRegistration, &kDischarge, &kUpdateWithNulls, &kMerge, &kResult, &kCharge, &kAppointment}) {
    for (std::size_t i = 0; i < text->size(); ++i) {
      check(text->substr(0, i));
      for (char c : {'|', '^', '~', '\\', '&', '"', '9'}) {
        std::string damaged = *text;
        damaged[i] = c;
        check(damaged);
      }
    }
  }
  EXPECT_GT(mapped_count, 1000u);
  EXPECT_GT(refused, 1000u);
}

// ---- One test per message type ----------------------------------------------------

TEST(Hl7ProfileMapper, AdmissionMapsIdentifiersVisitAndDiagnoses) {
  EXPECT_EQ(record_json(kAdmission), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001", "event_type": "admission",
    "occurred_at": "2026-05-05T08:30:00+08:00",
    "subject": {"mrn": "MRN0001234", "resident_id": "510107198001011235", "name": "张测试",
                "birth_date": "1980-01-01", "address": "四川省成都市某区某路97号1930室",
                "phone": ["13800000000", "028-85550000"], "email": "test@example.com",
                "visit_number": "V20260505001"},
    "patient": {"gender": "male"},
    "encounter": {"department": "心内科", "visit_type": "inpatient", "started_at": "2026-05-05T08:30:00+08:00",
                  "source_system": "his"},
    "diagnoses": [
      {"code": "I10", "system": "ICD-10", "role": "primary", "description": "原发性高血压",
       "diagnosed_at": "2026-05-05T09:00:00+08:00"},
      {"code": "E11.900", "system": "ICD-10", "role": "secondary", "description": "2型糖尿病"}]})"));
}

TEST(Hl7ProfileMapper, RegistrationWithLatinNameAddressAndEmail) {
  EXPECT_EQ(record_json(kRegistration), canonical(R"({
    "source_record_id": "ADT1^GOOD HEALTH HOSPITAL^MSG00001", "event_type": "registration",
    "occurred_at": "2007-01-01T18:00:00+08:00",
    "subject": {"mrn": "PATID1234", "insurance_number": "123456789", "name": "DOE JOHN Q",
                "birth_date": "1961-06-15", "address": "2222 HOME STREET, GREENSBORO, NC, 27401-1020",
                "phone": ["(555) 555-2004", "(555)555-1234"], "email": "john.doe@example.com",
                "kin_name": "DOE JANE M", "kin_phone": "(555)555-5555", "visit_number": "VN0001"},
    "patient": {"gender": "male"},
    "encounter": {"department": "MED", "visit_type": "outpatient", "source_system": "his"}})"));
}

// Aliases and further addresses are kept beside the first, for the scrubber
// to find them in free text; the record still passes the input contract.
TEST(Hl7ProfileMapper, FurtherNamesAndAddressesGoToOthers) {
  const std::string message = hl7({
      msh("ADT^A08^ADT_A01"),
      "EVN|A08|20260506100000",
      "PID|1||MRN0001234^^^HOSP01^MR||张测试~张小测^^^^^^A||19800101|M|||某路1号^^杭州市^浙江省~某街2号^^宁波市^浙江省",
  });
  MappingResult r = mapped(message);
  ASSERT_TRUE(r.error.ok()) << r.error.status.message();
  ASSERT_EQ(r.records.size(), 1u);
  const Value& subject = *r.records[0].body.find("subject");
  EXPECT_EQ(subject.find("name")->as_string(), "张测试");
  ASSERT_NE(subject.find("name_others"), nullptr);
  EXPECT_EQ(sdk::to_json(*subject.find("name_others")), R"(["张小测"])");
  ASSERT_NE(subject.find("address_others"), nullptr);
  EXPECT_EQ(subject.find("address_others")->as_array().size(), 1u);
  Value body = r.records[0].body;
  pipeline::RecordNormalizer normalizer;
  sdk::Status s = normalizer.normalize("his", "2026-11-23T00:00:00.000Z", body);
  EXPECT_TRUE(s.ok()) << s.message();
}

// PID-9 aliases join the further names; the next of kin (NK1) is another
// person: kin_* members, which nothing tokenizes or identifies by, only the
// scrubber reads (a relative named in a note).
TEST(Hl7ProfileMapper, AliasesAndNextOfKin) {
  const std::string message = hl7({
      msh("ADT^A04^ADT_A01"),
      "EVN|A04|20260506100000",
      "PID|1||MRN0001234^^^HOSP01^MR||张测试||19800101|M|张小测~^^^^^^A",
      "NK1|1|李^秀英|SPO^配偶^HL70063|某街2号^^宁波市^浙江省|13900000002^PRN^CP~^NET^Internet^kin@example.com|"
      "0574-87650000^WPN^PH",
      "NK1|2|王^一|CHD^子女",
      "PV1|1|O|MED",
  });
  MappingResult r = mapped(message);
  ASSERT_TRUE(r.error.ok()) << r.error.status.message();
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(sdk::to_json(*r.records[0].body.find("subject")),
            R"({"mrn":"MRN0001234","name":"张测试","name_others":["张小测"],"birth_date":"1980-01-01",)"
            R"("kin_name":["李秀英","王一"],"kin_address":"浙江省宁波市某街2号",)"
            R"("kin_phone":["13900000002","0574-87650000"],)"
            R"("kin_email":"kin@example.com"})");
  Value body = r.records[0].body;
  pipeline::RecordNormalizer normalizer;
  sdk::Status s = normalizer.normalize("his", "2026-11-23T00:00:00.000Z", body);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(Hl7ProfileMapper, TransferKeepsThePriorLocation) {
  EXPECT_EQ(record_json(kTransfer), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001", "event_type": "transfer",
    "occurred_at": "2026-05-06T10:00:00+08:00",
    "subject": {"mrn": "MRN0001234", "name": "张测试", "visit_number": "V20260505001"},
    "encounter": {"department": "神经内科", "visit_type": "inpatient", "prior_department": "心内科",
                  "source_system": "his"}})"));
}

TEST(Hl7ProfileMapper, DischargeMapsEndAndProcedures) {
  EXPECT_EQ(record_json(kDischarge), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001", "event_type": "discharge",
    "occurred_at": "2026-05-10T11:00:00+08:00",
    "subject": {"mrn": "MRN0001234", "name": "张测试"},
    "encounter": {"department": "心内科", "visit_type": "inpatient", "started_at": "2026-05-05T08:30:00+08:00",
                  "ended_at": "2026-05-10T11:00:00+08:00", "source_system": "his"},
    "diagnoses": [{"code": "I25.103", "system": "ICD-10", "role": "primary", "description": "冠状动脉粥样硬化性心脏病"}],
    "procedures": [{"code": "88.5601", "system": "ICD-9-CM-3", "description": "冠状动脉造影",
                    "performed_at": "2026-05-06T10:00:00+08:00"}]})"));
}

TEST(Hl7ProfileMapper, NullFieldsMapToNothing) {
  EXPECT_EQ(record_json(kUpdateWithNulls), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001", "event_type": "update",
    "occurred_at": "2026-05-07T09:00:00+08:00",
    "subject": {"mrn": "MRN0001234"},
    "encounter": {"visit_type": "outpatient", "source_system": "his"}})"));
}

TEST(Hl7ProfileMapper, CancelEventsAreUpdatesThatNameWhatTheyCancel) {
  EXPECT_EQ(record_json(kCancelAdmit), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001", "event_type": "update",
    "occurred_at": "2026-05-05T10:00:00+08:00",
    "subject": {"mrn": "MRN0001234", "name": "张测试"},
    "encounter": {"department": "心内科", "visit_type": "inpatient", "cancelled_event": "admission",
                  "source_system": "his"}})"));
  EXPECT_EQ(record_json(kCancelDischarge), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001", "event_type": "update",
    "occurred_at": "2026-05-11T09:00:00+08:00",
    "subject": {"mrn": "MRN0001234", "name": "张测试"},
    "encounter": {"cancelled_event": "discharge", "source_system": "his"}})"));
}

TEST(Hl7ProfileMapper, PersonEventsHaveNoEncounter) {
  Value add;
  ASSERT_TRUE(sdk::parse_json(record_json(kAddPerson), add).ok());
  EXPECT_EQ(add.string_or("event_type", ""), "registration");
  EXPECT_EQ(add.find("encounter"), nullptr);  // "PV1|1|N": not applicable
  EXPECT_EQ(sdk::to_json(*add.find("patient")), R"({"gender":"male"})");
  EXPECT_EQ(record_json(kUpdatePerson), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001", "event_type": "update",
    "occurred_at": "2026-05-02T08:00:00+08:00",
    "subject": {"mrn": "MRN0001234", "name": "张测试"}})"));
}

TEST(Hl7ProfileMapper, MergeCarriesPriorIdentifiers) {
  EXPECT_EQ(record_json(kMerge), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001", "event_type": "merge",
    "occurred_at": "2026-05-05T10:00:00+08:00",
    "subject": {"mrn": "MRN0009999", "name": "张测试", "prior_mrn": "MRN0001234",
                "prior_resident_id": "110101199003071233", "prior_visit_number": "V0001"}})"));
}

TEST(Hl7ProfileMapper, MergeOfSeveralPatientsGivesOneRecordEach) {
  MappingResult r =
      mapped(hl7({msh("ADT^A40^ADT_A39"), "EVN|A40|20260505100000", "PID|1||MRN0009999^^^HOSP01^MR",
                  "MRG|MRN0001234^^^HOSP01^MR", "PID|2||MRN0008888^^^HOSP01^MR", "MRG|MRN0007777^^^HOSP01^MR"}));
  ASSERT_TRUE(r.error.ok()) << r.error.status.message();
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(sdk::to_json(r.records[0].body), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001", "event_type": "merge", "occurred_at": "2026-05-05T10:00:00+08:00",
    "subject": {"mrn": "MRN0009999", "prior_mrn": "MRN0001234"}})"));
  EXPECT_EQ(sdk::to_json(r.records[1].body), canonical(R"({
    "source_record_id": "HIS^HOSP01^MSG00001^2", "event_type": "merge", "occurred_at": "2026-05-05T10:00:00+08:00",
    "subject": {"mrn": "MRN0008888", "prior_mrn": "MRN0007777"}})"));
}

TEST(Hl7ProfileMapper, ResultMapsObservationsNotesAndEscapes) {
  EXPECT_EQ(record_json(kResult), canonical(R"({
    "source_record_id": "HIS^HOSP01^LAB0001", "event_type": "result",
    "occurred_at": "2026-05-05T08:35:00+08:00",
    "subject": {"mrn": "MRN0001234", "name": "张测试"},
    "encounter": {"department": "内分泌科", "visit_type": "outpatient", "source_system": "his"},
    "observations": [
      {"code": "2345-7", "system": "LOINC", "display": "Glucose", "value": 6.8, "unit": "mmol/L",
       "reference_range": "3.9-6.1", "interpretation": "high", "observed_at": "2026-05-05T08:00:00+08:00"},
      {"code": "5778-6", "system": "LOINC", "display": "Color", "value": "Yellow&Amber|clear",
       "observed_at": "2026-05-05T07:00:00+08:00"},
      {"code": "HBSAG", "system": "L", "display": "乙肝表面抗原", "value": "阴性", "interpretation": "normal",
       "observed_at": "2026-05-05T07:00:00+08:00"},
      {"code": "PLT", "system": "L", "display": "血小板", "value": "<100", "unit": "10*9/L",
       "reference_range": "125-350", "interpretation": "critical_low", "observed_at": "2026-05-05T07:00:00+08:00"},
      {"code": "IMP", "system": "L", "display": "印象", "observed_at": "2026-05-05T07:00:00+08:00"}],
    "notes": [
      {"kind": "result_text", "text": "患者张测试，电话13800000000。\n双肺纹理清晰。",
       "written_at": "2026-05-05T07:00:00+08:00"},
      {"kind": "result_comment", "text": "复查|随访^一周后\\确认\n第二行"}]})"));
}

TEST(Hl7ProfileMapper, ResultValuesByType) {
  auto value_of = [](const std::string& obx) {
    MappingResult r = mapped(hl7({msh("ORU^R01"), kShortPid, obx}));
    EXPECT_TRUE(r.error.ok()) << r.error.status.message();
    if (r.records.empty()) return std::string("(no record)");
    const Value* v = r.records[0].body.at_path("observations");
    const Value* value = v && !v->as_array().empty() ? v->as_array()[0].find("value") : nullptr;
    return value ? sdk::to_json(*value) : std::string("(none)");
  };
  EXPECT_EQ(value_of("OBX|1|NM|A^a^L||152"), "152");
  EXPECT_EQ(value_of("OBX|1|NM|A^a^L||-0.25"), "-0.25");
  EXPECT_EQ(value_of("OBX|1|NM|A^a^L||阴性"), "\"阴性\"");  // not a number: kept as text
  EXPECT_EQ(value_of("OBX|1|SN|A^a^L||^1^:^128"), "\"1:128\"");
  EXPECT_EQ(value_of("OBX|1|SN|A^a^L||^42"), "42");
  EXPECT_EQ(value_of("OBX|1|CE|A^a^L||POS^^L"), "\"POS\"");  // no text: the code
  EXPECT_EQ(value_of("OBX|1|ST|A^a^L||one~two"), "\"one; two\"");
  EXPECT_EQ(value_of("OBX|1|ED|A^a^L||^application^pdf^Base64^JVBERi0="), "(none)");
  EXPECT_EQ(value_of("OBX|1|NM|A^a^L||\"\""), "(none)");
  // A string over 256 characters becomes a note (scrubbed by the gateway), not a cut value.
  MappingResult r = mapped(hl7({msh("ORU^R01"), kShortPid, "OBX|1|ST|A^a^L||" + std::string(300, 'x')}));
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].body.at_path("observations")->as_array()[0].find("value"), nullptr);
  EXPECT_EQ(r.records[0].body.at_path("notes")->as_array()[0].string_or("text", ""), std::string(300, 'x'));
}

TEST(Hl7ProfileMapper, ResultsOfSeveralPatientsGiveOneRecordEach) {
  MappingResult r = mapped(hl7({msh("ORU^R01", "LAB0002"), "PID|1||A1^^^^MR", "OBR|1", "OBX|1|NM|A^a^L||1",
                                "PID|2||B2^^^^MR", "OBR|1", "OBX|1|NM|B^b^L||2"}));
  ASSERT_TRUE(r.error.ok()) << r.error.status.message();
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(sdk::to_json(*r.records[0].body.find("subject")), R"({"mrn":"A1"})");
  EXPECT_EQ(sdk::to_json(*r.records[0].body.find("observations")),
            R"([{"code":"A","system":"L","display":"a","value":1}])");
  EXPECT_EQ(r.records[1].body.string_or("source_record_id", ""), "HIS^HOSP01^LAB0002^2");
  EXPECT_EQ(sdk::to_json(*r.records[1].body.find("subject")), R"({"mrn":"B2"})");
  EXPECT_EQ(sdk::to_json(*r.records[1].body.find("observations")),
            R"([{"code":"B","system":"L","display":"b","value":2}])");
}

TEST(Hl7ProfileMapper, ChargeMapsAmountsSignsAndCategories) {
  EXPECT_EQ(record_json(kCharge), canonical(R"({
    "source_record_id": "HIS^HOSP01^FIN0001", "event_type": "charge",
    "occurred_at": "2026-05-05T12:00:00+08:00",
    "subject": {"mrn": "MRN0001234", "name": "张测试"},
    "encounter": {"department": "内分泌科", "visit_type": "outpatient", "source_system": "his"},
    "charges": [
      {"amount_cny": 35.5, "category": "drug", "charged_at": "2026-05-05T11:00:00+08:00"},
      {"amount_cny": -120.0, "category": "lab"},
      {"amount_cny": 36, "category": "other", "charged_at": "2026-05-05T00:00:00+08:00"},
      {"amount_cny": 80, "category": "other", "charged_at": "2026-05-05T00:00:00+08:00"}]})"));
}

// What the profile cannot hold is left out, never silently: each gets a
// located notice (the AA's warnings); payments are left out by design.
TEST(Hl7ProfileMapper, WhatTheProfileCannotHoldIsLeftOutWithALocatedNotice) {
  MappingResult admission = mapped(kAdmission);
  ASSERT_TRUE(admission.error.ok());
  ASSERT_EQ(admission.left_out.size(), 1u);  // the ICD-9 diagnosis
  EXPECT_EQ(admission.left_out[0].code, "103");
  EXPECT_EQ(admission.left_out[0].location, at(7, "DG1", 3, 0, 3, 3));
  EXPECT_NE(admission.left_out[0].status.message().find("'I9', not ICD-10"), std::string::npos)
      << admission.left_out[0].status.message();

  MappingResult charge = mapped(kCharge);
  ASSERT_EQ(charge.left_out.size(), 1u);  // the USD charge; not the payment
  EXPECT_EQ(charge.left_out[0].code, "103");
  EXPECT_EQ(charge.left_out[0].location, at(9, "FT1", 11, 0, 1, 5));
  EXPECT_NE(charge.left_out[0].status.message().find("'USD', not CNY"), std::string::npos);

  MappingResult odd = mapped(hl7({
      msh("ADT^A03^ADT_A03"), "EVN|A03|20260506100000", kShortPid, "PV1|1|I",
      segment("DG1", {{1, "1"}, {3, "^无编码诊断"}}),                   // no code
      segment("DG1", {{1, "2"}, {3, "ABC^某诊断^ICD10"}}),             // not of ICD-10 shape
      segment("DG1", {{1, "3"}, {2, "GB/T 15657"}, {3, "BNG010^胸痹"}}),  // TCM, system in DG1-2
      segment("PR1", {{1, "1"}, {3, "^无编码手术"}}),                   // no code
      segment("OBX", {{1, "1"}, {2, "NM"}, {3, std::string(65, '9') + "^某检验"}, {5, "1"}}),  // code too long
      segment("FT1", {{1, "1"}, {6, "CG"}}),                             // no amount
  }));
  ASSERT_TRUE(odd.error.ok()) << odd.error.status.message();
  ASSERT_EQ(odd.records.size(), 1u);
  EXPECT_EQ(odd.records[0].body.find("diagnoses"), nullptr);
  std::vector<std::pair<std::string, std::string>> got;  // code, ERR-2 place
  for (const auto& n : odd.left_out)
    got.emplace_back(n.code, n.location.segment_id + "-" + std::to_string(n.location.field));
  EXPECT_EQ(got, (std::vector<std::pair<std::string, std::string>>{{"101", "DG1-3"},
                                                                   {"102", "DG1-3"},
                                                                   {"103", "DG1-2"},
                                                                   {"101", "PR1-3"},
                                                                   {"104", "OBX-3"},
                                                                   {"101", "FT1-11"}}));
  for (const auto& n : odd.left_out) EXPECT_EQ(n.status.message().find("胸痹"), std::string::npos);  // no values
}

TEST(Hl7ProfileMapper, AppointmentMapsScheduleAndKeepsIdsInSubject) {
  EXPECT_EQ(record_json(kAppointment), canonical(R"({
    "source_record_id": "HIS^HOSP01^APT0001", "event_type": "appointment",
    "occurred_at": "2026-05-05T08:35:00+08:00",
    "subject": {"mrn": "MRN0001234", "name": "张测试", "placer_appointment_id": "APT-P-001",
                "filler_appointment_id": "APT-F-001"},
    "encounter": {"department": "内分泌科", "started_at": "2026-05-10T14:30:00+08:00",
                  "ended_at": "2026-05-10T15:00:00+08:00", "source_system": "his"}})"));
  EXPECT_EQ(record_json(kAppointmentAisOnly), canonical(R"({
    "source_record_id": "HIS^HOSP01^APT0002", "event_type": "appointment",
    "occurred_at": "2026-05-05T08:35:00+08:00",
    "subject": {"mrn": "MRN0001234", "name": "张测试", "placer_appointment_id": "APT-P-002"},
    "encounter": {"started_at": "2026-05-11T10:00:00+08:00", "source_system": "his"}})"));
}

// ---- Identifiers, names, contacts -------------------------------------------------------

TEST(Hl7ProfileMapper, SeveralValuesOfOneIdentifier) {
  MappingResult r = mapped(hl7({msh("ADT^A08"), "EVN|A08|20260505", "PID|1||M1^^^^MR~M2^^^^PI~M1^^^^PT~I1^^^^JHN"}));
  ASSERT_EQ(r.records.size(), 1u);
  // The identity stage and patient.mrn_token take one value: the first; the others are kept apart.
  EXPECT_EQ(sdk::to_json(*r.records[0].body.find("subject")),
            R"({"mrn":"M1","mrn_others":["M2"],"insurance_number":"I1"})");
}

TEST(Hl7ProfileMapper, AssigningAuthorityAndConfiguredTypes) {
  std::string message =
      hl7({msh("ADT^A08"), "EVN|A08|20260505", "PID|1||110101199003071233^^^CHN^NN~555-44-4444~C9^^^^CARD"});
  EXPECT_EQ(sdk::to_json(*mapped(message).records.at(0).body.find("subject")),
            R"({"resident_id":"110101199003071233"})");
  MappingOptions o = default_mapping_options();
  o.identifier_types[""] = "mrn";  // identifiers without a type code (python-hl7's sample)
  o.identifier_types["CARD"] = "card_number";
  EXPECT_EQ(sdk::to_json(*mapped(message, o).records.at(0).body.find("subject")),
            R"({"resident_id":"110101199003071233","mrn":"555-44-4444","card_number":"C9"})");
}

TEST(Hl7ProfileMapper, PhonesFromEveryXtnForm) {
  MappingResult r = mapped(hl7({msh("ADT^A08"), "EVN|A08|20260505",
                                "PID|1||M1^^^^MR||||||||||^PRN^CP^^^^^^^^^13800000001~^PRN^PH^^86^010^62345678~"
                                "010-62345679^PRN^FX~^NET^X.400^x400@example.com|^WPN^Internet^^^^^^^^^^|"}));
  ASSERT_EQ(r.records.size(), 1u);
  // XTN.12, then XTN.6+7; a fax left out; use code NET is an e-mail whatever the equipment;
  // an Internet entry without an address adds nothing.
  EXPECT_EQ(sdk::to_json(*r.records[0].body.find("subject")),
            R"({"mrn":"M1","phone":["13800000001","01062345678"],"email":"x400@example.com"})");
}

TEST(Hl7ProfileMapper, NameAndAddressForms) {
  auto subject_of = [](const std::string& pid) {
    MappingResult r = mapped(hl7({msh("ADT^A08"), "EVN|A08|20260505", pid}));
    return r.records.empty() ? std::string("(none)") : sdk::to_json(*r.records[0].body.find("subject"));
  };
  // A municipality is province and city at once; a street that already starts with them is not prefixed.
  EXPECT_EQ(subject_of("PID|1||M1^^^^MR||^^^^^^A~欧阳^测试||||||某区某路1号^^北京市^北京市"),
            R"({"mrn":"M1","name":"欧阳测试","address":"北京市某区某路1号"})");
  EXPECT_EQ(subject_of("PID|1||M1^^^^MR||DOE&VAN^JOHN||||||四川省成都市某区某路2号^^成都市^四川省"),
            R"({"mrn":"M1","name":"DOE JOHN","address":"四川省成都市某区某路2号"})");
}

TEST(Hl7ProfileMapper, BirthDateOfYearOnlyGoesToBirthYear) {
  MappingResult r = mapped(hl7({msh("ADT^A08"), "EVN|A08|20260505", "PID|1||M1^^^^MR||||1949|F"}));
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(sdk::to_json(*r.records[0].body.find("subject")), R"({"mrn":"M1"})");
  EXPECT_EQ(sdk::to_json(*r.records[0].body.find("patient")), R"({"birth_year":1949,"gender":"female"})");
  r = mapped(hl7({msh("ADT^A08"), "EVN|A08|20260505", "PID|1||M1^^^^MR||||19490101120000+0800|O"}));
  EXPECT_EQ(sdk::to_json(*r.records[0].body.find("subject")), R"({"mrn":"M1","birth_date":"1949-01-01"})");
  EXPECT_EQ(sdk::to_json(*r.records[0].body.find("patient")), R"({"gender":"unknown"})");
}

// ---- Envelope ---------------------------------------------------------------------------

TEST(Hl7ProfileMapper, RecordIdIsControlIdAloneWithoutSender) {
  std::string message = hl7({"MSH|^~\\&|||||20260505083500||ADT^A08|CTRL-1|P|2.4", "EVN|A08|", kShortPid});
  MappingResult r = mapped(message);
  ASSERT_EQ(r.records.size(), 1u) << r.error.status.message();
  EXPECT_EQ(r.records[0].body.string_or("source_record_id", ""), "CTRL-1");
  EXPECT_EQ(r.records[0].body.string_or("occurred_at", ""), "2026-05-05T08:35:00+08:00");  // EVN-2 empty: MSH-7
}

TEST(Hl7ProfileMapper, DefaultOffsetIsConfigurable) {
  MappingOptions o = default_mapping_options();
  o.default_utc_offset = "+09:00";
  o.source_system = "his-east";
  std::string message = hl7({msh("ADT^A01"), "EVN|A01|20260505083000+0800", kShortPid,
                             segment("PV1", {{2, "E"}, {3, "急诊科"}, {44, "202605050830"}})});
  Value v;
  ASSERT_TRUE(sdk::parse_json(record_json(message, o), v).ok());
  EXPECT_EQ(v.string_or("occurred_at", ""), "2026-05-05T08:30:00+08:00");  // its own offset wins
  EXPECT_EQ(sdk::to_json(*v.find("encounter")),
            R"({"department":"急诊科","visit_type":"emergency","started_at":"2026-05-05T08:30:00+09:00",)"
            R"("source_system":"his-east"})");
}

TEST(Hl7ProfileMapper, OldAdtWithTriggerInEvnOnly) {
  std::string message =
      hl7({"MSH|^~\\&|HIS|HOSP01|||200101011200||ADT|OLD1|P|2.1", "EVN|A04|200101011159", "PID|1||M1^^^^MR"});
  Value v;
  ASSERT_TRUE(sdk::parse_json(record_json(message), v).ok());
  EXPECT_EQ(v.string_or("event_type", ""), "registration");
}

TEST(Hl7ProfileMapper, SupportedMessages) {
  EXPECT_EQ(supported_messages(),
            (std::vector<std::string>{"ADT^A01", "ADT^A02", "ADT^A03", "ADT^A04", "ADT^A08", "ADT^A11", "ADT^A13",
                                      "ADT^A28", "ADT^A31", "ADT^A40", "ORU^R01", "DFT^P03", "SIU^S12"}));
}

// ---- Refusals: code, location, and no values in messages -------------------------------

TEST(Hl7ProfileMapper, MissingPidIsASegmentSequenceError) {
  MappingResult r = mapped(hl7({msh("ADT^A01"), "EVN|A01|20260505083000", "PV1|1|I|心内科"}));
  EXPECT_FALSE(r.unsupported);
  EXPECT_EQ(r.error.code, "100");
  EXPECT_EQ(r.error.location, (Location{0, "PID", 0, 0, 0, 0, 0}));
  EXPECT_EQ(r.error.status.message(), "segment PID: PID segment missing");
}

TEST(Hl7ProfileMapper, MissingMrgAndSchAreSegmentSequenceErrors) {
  sdk::hl7::Result e = error_of(hl7({msh("ADT^A40"), "EVN|A40|20260505", kShortPid}));
  EXPECT_EQ(e.code, "100");
  EXPECT_EQ(e.location.segment_id, "MRG");
  e = error_of(hl7({msh("SIU^S12"), kShortPid}));
  EXPECT_EQ(e.code, "100");
  EXPECT_EQ(e.status.message(), "segment SCH: SCH segment missing");
}

TEST(Hl7ProfileMapper, NoUsableIdentifierListsTheAcceptedTypes) {
  sdk::hl7::Result e = error_of(hl7({msh("ADT^A01"), "EVN|A01|20260505", "PID|1||X1^^^^XX~Y2||张^测试"}));
  EXPECT_EQ(e.code, "101");
  EXPECT_EQ(e.location, at(3, "PID", 3));
  EXPECT_EQ(e.status.message(),
            "segment 3 (PID) field 3: PID-3 has no identifier of an accepted type (CX.5 type codes accepted: HC, "
            "JHN, MR, NN@CHN, NNCHN, PI, PT, SS; found: (none), XX)");
  e = error_of(hl7({msh("ADT^A01"), "EVN|A01|20260505", "PID|1||\"\"||张^测试"}));
  EXPECT_EQ(e.code, "101");
  EXPECT_NE(e.status.message().find("PID-3 has no identifier ("), std::string::npos) << e.status.message();
  e = error_of(hl7({msh("ADT^A40"), "EVN|A40|20260505", kShortPid, "MRG|OLD1^^^^XX"}));
  EXPECT_EQ(e.code, "101");
  EXPECT_EQ(e.location, at(4, "MRG", 1));
}

TEST(Hl7ProfileMapper, InvalidDateTimesAreDataTypeErrorsAtTheirField) {
  sdk::hl7::Result e = error_of(hl7({msh("ADT^A01"), "EVN|A01|20261340", kShortPid}));
  EXPECT_EQ(e.code, "102");
  EXPECT_EQ(e.location, at(2, "EVN", 2));
  EXPECT_EQ(e.status.message(), "segment 2 (EVN) field 2: EVN-2 is not a valid HL7 date/time: month must be 01-12");

  // python-hl7's sample birth date has nine digits; the message names the problem, not the value.
  e = error_of(hl7({msh("ADT^A01"), "EVN|A01|20260505", "PID|1||M1^^^^MR||DOE^JOHN||196203520|F"}));
  EXPECT_EQ(e.code, "102");
  EXPECT_EQ(e.location, at(3, "PID", 7));
  EXPECT_EQ(e.status.message().find("196203520"), std::string::npos) << e.status.message();

  e = error_of(hl7({msh("ADT^A01"), "EVN|A01|20260505", kShortPid, segment("PV1", {{2, "I"}, {44, "2026050525"}})}));
  EXPECT_EQ(e.location, at(4, "PV1", 44));
  e = error_of(hl7({"MSH|^~\\&|HIS|HOSP01|||2026-05-05||ORU^R01|X1|P|2.5", kShortPid}));
  EXPECT_EQ(e.code, "102");
  EXPECT_EQ(e.location, at(1, "MSH", 7));
  e = error_of(hl7({msh("ORU^R01"), kShortPid, "OBR|1", "OBR|2", "OBX|1|NM|A^a^L||1||||||F|||20260230"}));
  EXPECT_EQ(e.location, at(5, "OBX", 14));
  e = error_of(hl7({msh("SIU^S12"), segment("SCH", {{1, "A1"}, {11, "^^^20261301"}}), kShortPid}));
  EXPECT_EQ(e.location, at(2, "SCH", 11, 1, 4));
}

TEST(Hl7ProfileMapper, MissingTimeAndControlIdAreRequiredFieldErrors) {
  sdk::hl7::Result e = error_of(hl7({"MSH|^~\\&|HIS|HOSP01|||||ORU^R01|X1|P|2.5", kShortPid}));
  EXPECT_EQ(e.code, "101");
  EXPECT_EQ(e.location, at(1, "MSH", 7));
  e = error_of(hl7({"MSH|^~\\&|HIS|HOSP01|||20260505||ORU^R01||P|2.5", kShortPid}));
  EXPECT_EQ(e.code, "101");
  EXPECT_EQ(e.location, at(1, "MSH", 10));
}

TEST(Hl7ProfileMapper, BadAmountIsADataTypeError) {
  sdk::hl7::Result e =
      error_of(hl7({msh("DFT^P03"), "EVN|P03|20260505", kShortPid, "FT1|1|||20260505||CG|DRUG||||12,5"}));
  EXPECT_EQ(e.code, "102");
  EXPECT_EQ(e.location, at(4, "FT1", 11));
}

TEST(Hl7ProfileMapper, OverlongIdentifierIsRefusedNotCut) {
  // The input contract holds identifiers to 1024 characters; a cut one would give another token.
  sdk::hl7::Result e =
      error_of(hl7({msh("ADT^A08"), "EVN|A08|20260505", "PID|1||M1^^^^MR~" + std::string(1025, '9') + "^^^^PI"}));
  EXPECT_EQ(e.code, "102");
  EXPECT_EQ(e.location, at(3, "PID", 3, 2));
  EXPECT_EQ(e.status.message(),
            "segment 3 (PID) field 3 repetition 2: PID-3 holds a value longer than 1024 characters");
}

TEST(Hl7ProfileMapper, OverlongRecordIdIsRefused) {
  std::string control_id(250, '7');
  sdk::hl7::Result e = error_of(hl7({msh("ADT^A08", control_id), "EVN|A08|20260505", kShortPid}));
  EXPECT_EQ(e.code, "102");
  EXPECT_EQ(e.location, at(1, "MSH", 10));
  EXPECT_EQ(e.status.message(),
            "segment 1 (MSH) field 10: source record id <MSH-3>^<MSH-4>^<MSH-10> is 261 bytes; the input contract "
            "allows 256");
  // Without MSH-3 and MSH-4 the same control id fits.
  MappingResult r = mapped(hl7({"MSH|^~\\&|||||20260505||ADT^A08|" + control_id + "|P|2.5", "EVN|A08|", kShortPid}));
  EXPECT_TRUE(r.error.ok()) << r.error.status.message();
}

TEST(Hl7ProfileMapper, UnsupportedTypeTriggerAndVersion) {
  MappingResult r = mapped(hl7({msh("ORM^O01^ORM_O01"), kShortPid}));
  EXPECT_TRUE(r.unsupported);
  EXPECT_EQ(r.error.code, "200");
  EXPECT_EQ(r.error.location, at(1, "MSH", 9, 1, 1));
  EXPECT_NE(r.error.status.message().find("message type ORM is not supported (supported: ADT^A01, "), std::string::npos)
      << r.error.status.message();

  r = mapped(hl7({msh("ADT^A05^ADT_A05"), "EVN|A05|20260505", kShortPid}));
  EXPECT_TRUE(r.unsupported);
  EXPECT_EQ(r.error.code, "201");
  EXPECT_EQ(r.error.location, at(1, "MSH", 9, 1, 2));

  r = mapped(hl7({msh("ACK^A01^ACK"), "MSA|AA|MSG00001"}));
  EXPECT_TRUE(r.unsupported);
  EXPECT_EQ(r.error.code, "200");

  for (const char* version : {"2.9", "3.0", "2.0", "2.5.", "V2.5"}) {
    r = mapped(hl7({msh("ADT^A01", "MSG00001", version), "EVN|A01|20260505", kShortPid}));
    EXPECT_TRUE(r.unsupported) << version;
    EXPECT_EQ(r.error.code, "203") << version;
    EXPECT_EQ(r.error.location, at(1, "MSH", 12)) << version;
  }
  for (const char* version : {"2.1", "2.3.1", "2.5.1", "2.8", "2.8.2"}) {
    r = mapped(hl7({msh("ADT^A01", "MSG00001", version), "EVN|A01|20260505", kShortPid}));
    EXPECT_TRUE(r.error.ok()) << version << ": " << r.error.status.message();
  }
}

TEST(Hl7ProfileMapper, CheckOptions) {
  EXPECT_TRUE(check_mapping_options(default_mapping_options()).ok());
  MappingOptions o = default_mapping_options();
  o.default_utc_offset = "+0800";
  EXPECT_EQ(check_mapping_options(o).message(), "default_utc_offset must be Z or +HH:MM / -HH:MM (e.g. +08:00)");
  o = default_mapping_options();
  o.source_system = "";
  EXPECT_FALSE(check_mapping_options(o).ok());
  o = default_mapping_options();
  o.identifier_types.clear();
  EXPECT_EQ(check_mapping_options(o).message(), "identifier_types is empty: no PID-3 identifier would be accepted");
  for (const char* member : {"address", "birth_date", "Mrn", "mrn_others", "prior_mrn", ""}) {
    o = default_mapping_options();
    o.identifier_types["XX"] = member;
    EXPECT_FALSE(check_mapping_options(o).ok()) << member;
  }
}

}  // namespace
}  // namespace medgate::his_hl7
