// FHIR R4 resources -> profile input records: one test per resource type,
// then the envelope, identifiers, times, and every refusal with its issue
// code and FHIRPath expression.
#include "fhir_profile_mapper.h"

#include <gtest/gtest.h>

#include "fhir_samples.h"
#include "medgate/sdk/json.h"

namespace medgate::emr_fhir {
namespace {

using namespace samples;
using sdk::Value;

FhirMappingResult mapped(const std::string& json, const PatientIndex& index = patient_index(),
                         const FhirMappingOptions& options = default_fhir_mapping_options()) {
  return map_resource(parsed(json), index, options);
}

// The one record of a resource, as JSON.
std::string record_json(const std::string& json, const PatientIndex& index = patient_index(),
                        const FhirMappingOptions& options = default_fhir_mapping_options()) {
  FhirMappingResult r = mapped(json, index, options);
  for (const FhirIssue& i : r.issues) ADD_FAILURE() << i.code << " " << i.expression << ": " << i.diagnostics;
  EXPECT_EQ(r.records.size(), 1u);
  return r.records.empty() ? "" : sdk::to_json(r.records.front().body);
}

// The issues of a refused resource.
std::vector<FhirIssue> issues_of(const std::string& json, const PatientIndex& index = patient_index(),
                                 const FhirMappingOptions& options = default_fhir_mapping_options()) {
  FhirMappingResult r = mapped(json, index, options);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.records.empty());
  return r.issues;
}

const std::string kPatientSubject = R"("mrn": "MRN0001234", "resident_id": "510107198001011235",
    "health_card_number": "HC0000123", "name": "张测试", "name_others": ["小测"], "phone": ["13800001234", "010-62345678"],
    "email": "test@example.com", "birth_date": "1980-01-01", "address": "四川省成都市某区某路97号1930室")";

// ---- One test per resource type ----------------------------------------------------

TEST(FhirProfileMapper, PatientMapsIdentifiersNameTelecomAddress) {
  EXPECT_EQ(record_json(kPatient), canonical(R"({
    "source_record_id": "Patient/example/_history/2", "event_type": "update",
    "occurred_at": "2026-05-05T08:30:00+08:00",
    "subject": {)" + kPatientSubject + R"(},
    "patient": {"gender": "male"}})"));
}

TEST(FhirProfileMapper, EncounterTakesItsSubjectFromThePatient) {
  EXPECT_EQ(record_json(kEncounter), canonical(R"({
    "source_record_id": "Encounter/example", "event_type": "admission",
    "occurred_at": "2026-05-05T08:30:00+08:00",
    "subject": {)" + kPatientSubject + R"(, "visit_number": "V20260505001"},
    "patient": {"gender": "male"},
    "encounter": {"visit_type": "inpatient", "started_at": "2026-05-05T08:30:00+08:00", "department": "心内科",
                  "service_type": "心血管内科", "source_system": "emr"}})"));
}

TEST(FhirProfileMapper, GlucoseObservationIsAResult) {
  EXPECT_EQ(record_json(kGlucose), canonical(R"({
    "source_record_id": "Observation/f001/_history/1", "event_type": "result",
    "occurred_at": "2026-05-05T07:30:10+08:00",
    "subject": {)" + kPatientSubject + R"(},
    "patient": {"gender": "male"},
    "observations": [{"code": "15074-8", "system": "LOINC", "display": "Glucose [Moles/volume] in Blood",
                      "value": 6.3, "unit": "mmol/l", "reference_range": "3.1-6.2", "interpretation": "high",
                      "observed_at": "2026-05-05T07:30:10+08:00"}],
    "notes": [{"kind": "result_comment", "text": "空腹采血", "written_at": "2026-05-05T07:31:00+08:00"}]})"));
}

TEST(FhirProfileMapper, ConditionKeepsItsIcd10Coding) {
  // onsetDateTime "2020" (a year only) dates nothing; recordedDate does.
  EXPECT_EQ(record_json(kCondition), canonical(R"({
    "source_record_id": "Condition/example", "event_type": "update",
    "occurred_at": "2026-05-05T09:00:00+08:00",
    "subject": {)" + kPatientSubject + R"(},
    "patient": {"gender": "male"},
    "diagnoses": [{"code": "I10.x00x002", "system": "ICD-10", "description": "原发性高血压",
                   "diagnosed_at": "2026-05-05T09:00:00+08:00"}],
    "notes": [{"kind": "comment", "text": "家族史阳性"}]})"));
}

TEST(FhirProfileMapper, ProcedureAndMedicationRequest) {
  EXPECT_EQ(record_json(kProcedure), canonical(R"({
    "source_record_id": "Procedure/example", "event_type": "update",
    "occurred_at": "2026-05-06T10:00:00+08:00",
    "subject": {)" + kPatientSubject + R"(},
    "patient": {"gender": "male"},
    "procedures": [{"code": "88.5601", "system": "urn:oid:2.16.156.10011.2.3.3.12", "description": "冠状动脉造影",
                    "performed_at": "2026-05-06T10:00:00+08:00"}]})"));
  // authoredOn is a date: midnight in the default offset.
  EXPECT_EQ(record_json(kMedicationRequest), canonical(R"({
    "source_record_id": "MedicationRequest/medrx0301", "event_type": "update",
    "occurred_at": "2026-05-05T00:00:00+08:00",
    "subject": {)" + kPatientSubject + R"(},
    "patient": {"gender": "male"},
    "encounter": {"medication": {"code": "C08CA01", "system": "ATC", "display": "amlodipine", "status": "active"},
                  "source_system": "emr"},
    "notes": [{"kind": "dosage_instruction", "text": "每日一次，每次一片，口服",
               "written_at": "2026-05-05T00:00:00+08:00"}]})"));
}

TEST(FhirProfileMapper, AppointmentKeepsItsIdInSubjectAndItsTimeInEncounter) {
  EXPECT_EQ(record_json(kAppointment), canonical(R"({
    "source_record_id": "Appointment/example", "event_type": "appointment",
    "occurred_at": "2026-05-01T09:00:00+08:00",
    "subject": {)" + kPatientSubject + R"(, "appointment_id": "APT-0001"},
    "patient": {"gender": "male"},
    "encounter": {"started_at": "2026-05-10T14:30:00+08:00", "ended_at": "2026-05-10T15:00:00+08:00",
                  "appointment_status": "booked", "department": "内分泌科", "service_type": "复诊",
                  "source_system": "emr"},
    "notes": [{"kind": "comment", "text": "请携带既往检查报告"}]})"));
  // Without meta.lastUpdated: created, else start.
  Value v = parsed(record_json(with(kAppointment, {{"meta", ""}})));
  EXPECT_EQ(v.string_or("occurred_at", ""), "2026-04-30T00:00:00+08:00");
  v = parsed(record_json(with(kAppointment, {{"meta", ""}, {"created", ""}, {"status", R"("cancelled")"}})));
  EXPECT_EQ(v.string_or("occurred_at", ""), "2026-05-10T14:30:00+08:00");
  EXPECT_EQ(v.at_path("encounter.appointment_status")->as_string(), "cancelled");
}

TEST(FhirProfileMapper, SupportedResourceTypes) {
  EXPECT_EQ(supported_resource_types(), (std::vector<std::string>{"Patient", "Encounter", "Condition", "Observation",
                                                                  "Procedure", "MedicationRequest", "Appointment"}));
}

// ---- Encounter: event by class and status --------------------------------------------

TEST(FhirProfileMapper, EncounterEventsByClassAndStatus) {
  auto event_of = [](const char* code, const char* status) {
    Value v = parsed(record_json(with(
        kEncounter, {{"class.code", code}, {"status", status}, {"period.end", R"("2026-05-10T11:00:00+08:00")"}})));
    return std::string(v.string_or("event_type", "")) + " " + std::string(v.string_or("occurred_at", "")) + " " +
           std::string(v.at_path("encounter")->string_or("visit_type", "-")) + " " +
           std::string(v.at_path("encounter")->string_or("cancelled_event", "-"));
  };
  EXPECT_EQ(event_of(R"("IMP")", R"("arrived")"), "admission 2026-05-05T08:30:00+08:00 inpatient -");
  EXPECT_EQ(event_of(R"("ACUTE")", R"("finished")"), "discharge 2026-05-10T11:00:00+08:00 inpatient -");
  EXPECT_EQ(event_of(R"("NONAC")", R"("cancelled")"), "update 2026-05-05T08:35:00+08:00 inpatient admission");
  EXPECT_EQ(event_of(R"("AMB")", R"("finished")"), "visit 2026-05-05T08:30:00+08:00 outpatient -");
  EXPECT_EQ(event_of(R"("EMER")", R"("triaged")"), "visit 2026-05-05T08:30:00+08:00 emergency -");
  EXPECT_EQ(event_of(R"("VR")", R"("in-progress")"), "visit 2026-05-05T08:30:00+08:00 telehealth -");
  EXPECT_EQ(event_of(R"("HH")", R"("onleave")"), "visit 2026-05-05T08:30:00+08:00 - -");
  EXPECT_EQ(event_of(R"("AMB")", R"("planned")"), "appointment 2026-05-05T08:30:00+08:00 outpatient -");
  EXPECT_EQ(event_of(R"("AMB")", R"("cancelled")"), "update 2026-05-05T08:35:00+08:00 outpatient visit");
  EXPECT_EQ(event_of(R"("AMB")", R"("unknown")"), "update 2026-05-05T08:35:00+08:00 outpatient -");
}

TEST(FhirProfileMapper, EnteredInErrorAndVoidResourcesGiveNoRecord) {
  for (const std::string& json :
       {with(kEncounter, {{"status", R"("entered-in-error")"}}), with(kGlucose, {{"status", R"("cancelled")"}}),
        with(kGlucose, {{"status", R"("entered-in-error")"}}), with(kProcedure, {{"status", R"("not-done")"}}),
        with(kCondition, {{"verificationStatus.coding", R"([{"code": "refuted"}])"}}),
        with(kMedicationRequest, {{"status", R"("entered-in-error")"}}),
        with(kAppointment, {{"status", R"("entered-in-error")"}})}) {
    FhirMappingResult r = mapped(json);
    EXPECT_TRUE(r.ok()) << json;
    EXPECT_TRUE(r.records.empty()) << json;
  }
}

TEST(FhirProfileMapper, DepartmentFromTheLocationWithoutServiceProvider) {
  Value v = parsed(record_json(with(kEncounter, {{"serviceProvider", ""}, {"serviceType", ""}})));
  EXPECT_EQ(sdk::to_json(*v.find("encounter")),
            R"({"visit_type":"inpatient","started_at":"2026-05-05T08:30:00+08:00","department":"心内一病区",)"
            R"("source_system":"emr"})");
}

// ---- Finding the Patient ------------------------------------------------------------

TEST(FhirProfileMapper, PatientByAbsoluteVersionedOrContainedReference) {
  for (const char* reference : {R"("http://emr.example.cn/fhir/Patient/example")",
                                R"("http://emr.example.cn/fhir/Patient/example/_history/2")", R"("Patient/example")"}) {
    Value v = parsed(record_json(with(kEncounter, {{"subject.reference", reference}})));
    EXPECT_EQ(v.at_path("subject.resident_id")->as_string(), "510107198001011235") << reference;
  }
  std::string contained = with(kEncounter, {{"subject.reference", R"("#p1")"},
                                            {"contained", R"([{"resourceType": "Patient", "id": "p1", "identifier": [
                           {"system": "urn:oid:2.16.156.10011.1.13", "value": "MRN0009999"}]}])"}});
  EXPECT_EQ(sdk::to_json(*parsed(record_json(contained, {})).find("subject")),
            R"({"mrn":"MRN0009999","visit_number":"V20260505001"})");
}

TEST(FhirProfileMapper, PatientNotInTheBundleButTheReferenceHasAnIdentifier) {
  std::string json = with(kGlucose, {{"subject", R"({"reference": "Patient/elsewhere", "identifier":
      {"system": "urn:oid:2.16.156.10011.1.3", "value": "440304199202204568"}})"}});
  Value v = parsed(record_json(json, {}));
  EXPECT_EQ(sdk::to_json(*v.find("subject")), R"({"resident_id":"440304199202204568"})");
  EXPECT_EQ(v.find("patient"), nullptr);
}

TEST(FhirProfileMapper, SubjectNotFoundIsRequired) {
  std::vector<FhirIssue> issues = issues_of(kEncounter, {});
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0], (FhirIssue{"required", "Encounter.subject",
                                  "Encounter.subject must reference a Patient in the same Bundle (by its fullUrl or "
                                  "Patient/<id>) that has an identifier of an accepted system, or carry such an "
                                  "identifier itself"}));
  issues = issues_of(with(kCondition, {{"subject", ""}}), {});
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, "required");
  EXPECT_EQ(issues[0].expression, "Condition.subject");
  // A Patient in the index that cannot be mapped itself does not give a subject.
  PatientIndex broken;
  broken.by_reference.emplace("Patient/example", parsed(with(kPatient, {{"birthDate", R"("1980-02-30")"}})));
  issues = issues_of(kGlucose, broken);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].expression, "Observation.subject");
  issues = issues_of(with(kAppointment, {{"participant", R"([{"actor": {"reference": "Location/1"}}])"}}));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, "required");
  EXPECT_EQ(issues[0].expression, "Appointment.participant");
}

// ---- Merges ---------------------------------------------------------------------------

TEST(FhirProfileMapper, LinkReplacesMakesAMergeWithPriorIdentifiers) {
  PatientIndex index = patient_index();
  index.by_reference.emplace("urn:uuid:0001", parsed(R"({"resourceType": "Patient", "id": "old", "identifier": [
      {"system": "urn:oid:2.16.156.10011.1.13", "value": "MRN0000001"}]})"));
  std::string survivor = R"({"resourceType": "Patient", "id": "new", "meta": {"lastUpdated": "2026-05-06T10:00:00Z"},
      "identifier": [{"system": "urn:oid:2.16.156.10011.1.13", "value": "MRN0000002"}],
      "link": [{"other": {"reference": "Patient/unknown"}, "type": "replaces"},
               {"other": {"reference": "urn:uuid:0001"}, "type": "replaces"}]})";
  EXPECT_EQ(record_json(survivor, index), canonical(R"({
    "source_record_id": "Patient/new", "event_type": "merge", "occurred_at": "2026-05-06T10:00:00Z",
    "subject": {"mrn": "MRN0000002", "prior_mrn": "MRN0000001"}})"));
}

TEST(FhirProfileMapper, LinkReplacedByMakesTheOtherPatientTheSubject) {
  std::string merged = R"({"resourceType": "Patient", "id": "old", "meta": {"lastUpdated": "2026-05-06T10:00:00Z"},
      "active": false, "name": [{"text": "张测试"}],
      "identifier": [{"system": "urn:oid:2.16.156.10011.1.13", "value": "MRN0000001"}],
      "link": [{"other": {"identifier": {"system": "urn:oid:2.16.156.10011.1.13", "value": "MRN0000002"}},
                "type": "replaced-by"}]})";
  EXPECT_EQ(record_json(merged, {}), canonical(R"({
    "source_record_id": "Patient/old", "event_type": "merge", "occurred_at": "2026-05-06T10:00:00Z",
    "subject": {"mrn": "MRN0000002", "prior_mrn": "MRN0000001", "name": "张测试"}})"));
  // A link whose other Patient is not known, and "seealso", leave a plain update.
  Value v = parsed(record_json(with(merged, {{"link", R"([{"other": {"reference": "Patient/x"}, "type": "replaced-by"},
      {"other": {"identifier": {"system": "urn:oid:2.16.156.10011.1.13", "value": "M3"}}, "type": "seealso"}])"}}),
                               {}));
  EXPECT_EQ(v.string_or("event_type", ""), "update");
  EXPECT_EQ(sdk::to_json(*v.find("subject")), R"({"mrn":"MRN0000001","name":"张测试"})");
}

// ---- Observations -----------------------------------------------------------------------

TEST(FhirProfileMapper, ObservationComponentsAreItemsOfTheirOwn) {
  std::string bp = R"({"resourceType": "Observation", "id": "blood-pressure", "status": "final",
    "code": {"coding": [{"system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel"}]},
    "subject": {"reference": "Patient/example"}, "effectiveDateTime": "2026-05-05T08:00:00+08:00",
    "component": [
      {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}], "text": "收缩压"},
       "valueQuantity": {"value": 152, "unit": "mmHg", "code": "mm[Hg]"},
       "interpretation": [{"coding": [{"code": "HH"}]}]},
      {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4", "display": "Diastolic"}]},
       "valueQuantity": {"value": 95, "code": "mm[Hg]"},
       "referenceRange": [{"high": {"value": 90}}]}]})";
  Value v = parsed(record_json(bp));
  EXPECT_EQ(sdk::to_json(*v.find("observations")), canonical(R"([
    {"code": "85354-9", "system": "LOINC", "display": "Blood pressure panel",
     "observed_at": "2026-05-05T08:00:00+08:00"},
    {"code": "8480-6", "system": "LOINC", "display": "收缩压", "value": 152, "unit": "mmHg",
     "interpretation": "critical_high", "observed_at": "2026-05-05T08:00:00+08:00"},
    {"code": "8462-4", "system": "LOINC", "display": "Diastolic", "value": 95, "unit": "mm[Hg]",
     "reference_range": "<=90", "observed_at": "2026-05-05T08:00:00+08:00"}])"));
}

TEST(FhirProfileMapper, ObservationValuesByType) {
  auto value_of = [](const char* member, const char* value) {
    std::string json = with(kGlucose, {{"valueQuantity", ""}, {member, value}});
    Value v = parsed(record_json(json));
    const Value* x = v.at_path("observations")->as_array()[0].find("value");
    return x ? sdk::to_json(*x) : std::string("(none)");
  };
  EXPECT_EQ(value_of("valueQuantity", R"({"value": 0.5, "comparator": "<", "unit": "mmol/l"})"), "\"<0.5\"");
  EXPECT_EQ(value_of("valueCodeableConcept", R"({"coding": [{"code": "NEG", "display": "阴性"}]})"), "\"阴性\"");
  EXPECT_EQ(value_of("valueCodeableConcept", R"({"coding": [{"code": "NEG"}]})"), "\"NEG\"");
  EXPECT_EQ(value_of("valueString", R"("Yellow")"), "\"Yellow\"");
  EXPECT_EQ(value_of("valueBoolean", "false"), "false");
  EXPECT_EQ(value_of("valueInteger", "3"), "3");
  EXPECT_EQ(value_of("valueRange", R"({"low": {"value": 1}, "high": {"value": 2.5}})"), "\"1-2.5\"");
  EXPECT_EQ(value_of("valueRatio", R"({"numerator": {"value": 1}, "denominator": {"value": 128}})"), "\"1:128\"");
  EXPECT_EQ(value_of("valueSampledData", R"({"data": "1 2 3"})"), "(none)");
  // A string over 256 characters becomes a note (scrubbed by the gateway), not a cut value.
  std::string long_text(300, 'x');
  Value v =
      parsed(record_json(with(kGlucose, {{"valueQuantity", ""}, {"valueString", ("\"" + long_text + "\"").c_str()}})));
  EXPECT_EQ(v.at_path("observations")->as_array()[0].find("value"), nullptr);
  EXPECT_EQ(sdk::to_json(v.at_path("notes")->as_array()[0]),
            R"({"kind":"result_text","text":")" + long_text + R"(","written_at":"2026-05-05T07:30:10+08:00"})");
}

TEST(FhirProfileMapper, ObservationTimes) {
  // effectiveDateTime first; else issued; else meta.lastUpdated.
  Value v = parsed(record_json(with(kGlucose, {{"effectivePeriod", ""}})));
  EXPECT_EQ(v.string_or("occurred_at", ""), "2026-05-05T09:30:10.123+08:00");
  EXPECT_EQ(v.at_path("observations")->as_array()[0].find("observed_at"), nullptr);
  v = parsed(record_json(with(kGlucose, {{"effectivePeriod", ""}, {"issued", ""}})));
  EXPECT_EQ(v.string_or("occurred_at", ""), "2026-05-05T10:00:00+08:00");
  v = parsed(record_json(with(kGlucose, {{"effectiveDateTime", R"("2026-05-05T07:00:00Z")"}})));
  EXPECT_EQ(v.string_or("occurred_at", ""), "2026-05-05T07:00:00Z");
}

// ---- Identifiers, names, times ---------------------------------------------------------------

TEST(FhirProfileMapper, IdentifierSystemsAndTypesAreConfigurable) {
  std::string json = with(kPatient, {{"identifier", R"([
      {"system": "http://hospital.example.cn/fhir/sid/yibao", "value": "YB001"},
      {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
       "value": "M1"},
      {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
       "value": "M2"},
      {"system": "urn:oid:2.16.156.10011.1.13", "value": "M1"}])"}});
  FhirMappingOptions o = default_fhir_mapping_options();
  o.identifier_systems["http://hospital.example.cn/fhir/sid/yibao"] = "insurance_number";
  Value v = parsed(record_json(json, {}, o));
  // Several values of one member: the first is the member, the others are kept apart.
  EXPECT_EQ(v.at_path("subject")->find("insurance_number")->as_string(), "YB001");
  EXPECT_EQ(sdk::to_json(*v.at_path("subject.mrn")), R"("M1")");
  EXPECT_EQ(sdk::to_json(*v.at_path("subject.mrn_others")), R"(["M2"])");
}

TEST(FhirProfileMapper, NameAndAddressForms) {
  auto subject_of = [](const char* name, const char* address) {
    Value v = parsed(record_json(
        with(kPatient,
             {{"name", name}, {"address", address}, {"telecom", ""}, {"birthDate", ""}, {"identifier", R"([{"system":
                                                 "urn:oid:2.16.156.10011.1.13", "value": "M1"}])"}})));
    return sdk::to_json(*v.find("subject"));
  };
  EXPECT_EQ(
      subject_of(R"([{"family": "Doe", "given": ["John", "Q"]}])",
                 R"([{"line": ["2222 Home Street"], "city": "Greensboro", "state": "NC", "postalCode": "27401"}])"),
      R"({"mrn":"M1","name":"John Q Doe","address":"2222 Home Street, Greensboro, NC, 27401"})");
  // A municipality is province and city at once; a line that already starts with them is not prefixed.
  // An old name and an old address are not the member but are kept in *_others (for the scrubber).
  EXPECT_EQ(subject_of(R"([{"use": "old", "text": "旧名"}, {"family": "欧阳", "given": ["测试"]}])",
                       R"([{"use": "old", "text": "旧址"}, {"line": ["北京市东城区某路1号"], "city": "北京市",
                           "state": "北京市", "district": "东城区"}])"),
            R"({"mrn":"M1","name":"欧阳测试","name_others":["旧名"],"address":"北京市东城区某路1号",)"
            R"("address_others":["旧址"]})");
  EXPECT_EQ(subject_of(R"([{"text": "张测试"}])", R"([{"text": "上海市某区某路2号"}])"),
            R"({"mrn":"M1","name":"张测试","address":"上海市某区某路2号"})");
}

// Patient.contact is another person (next of kin, emergency contact): kin_*
// members for the scrubber, never the patient's name, phone or identity.
TEST(FhirProfileMapper, PatientContactsGoToKinMembers) {
  Value v = parsed(record_json(with(
      kPatient, {{"name", R"([{"text": "张测试"}])"},
                 {"telecom", ""},
                 {"address", ""},
                 {"birthDate", ""},
                 {"identifier", R"([{"system": "urn:oid:2.16.156.10011.1.13", "value": "M1"}])"},
                 {"contact", R"([{"relationship": [{"coding": [{"code": "N"}]}],
                                  "name": {"family": "李", "given": ["秀英"]},
                                  "telecom": [{"system": "phone", "value": "13900000002"},
                                              {"system": "email", "value": "kin@example.com"},
                                              {"system": "fax", "value": "010-62345000"}],
                                  "address": {"text": "浙江省宁波市某街2号"}},
                                 {"name": {"text": "王一"}, "telecom": [{"system": "phone", "value": "13900000003"}]},
                                 {"organization": {"display": "某公司"}}])"}})));
  EXPECT_EQ(sdk::to_json(*v.find("subject")),
            R"({"mrn":"M1","name":"张测试","kin_name":["李秀英","王一"],"kin_phone":["13900000002","13900000003"],)"
            R"("kin_email":"kin@example.com","kin_address":"浙江省宁波市某街2号"})");
}

TEST(FhirProfileMapper, BirthDateOfYearOnlyGoesToBirthYear) {
  Value v = parsed(record_json(with(kPatient, {{"birthDate", R"("1949")"}, {"gender", R"("other")"}})));
  EXPECT_EQ(v.at_path("subject.birth_date"), nullptr);
  EXPECT_EQ(sdk::to_json(*v.find("patient")), R"({"birth_year":1949,"gender":"unknown"})");
}

TEST(FhirProfileMapper, TimesWithoutOffsetTakeTheConfiguredOne) {
  FhirMappingOptions o = default_fhir_mapping_options();
  o.default_utc_offset = "+09:00";
  o.source_system = "emr-east";
  Value v = parsed(
      record_json(with(kEncounter, {{"period.start", R"("2026-05-05T08:30:00")"}, {"period.end", R"("2026-05-06")"}}),
                  patient_index(), o));
  EXPECT_EQ(v.string_or("occurred_at", ""), "2026-05-05T08:30:00+09:00");
  EXPECT_EQ(v.at_path("encounter.ended_at")->as_string(), "2026-05-06T00:00:00+09:00");
  EXPECT_EQ(v.at_path("encounter.source_system")->as_string(), "emr-east");
}

// ---- Refusals: issue code, expression, and no values ---------------------------------------------

TEST(FhirProfileMapper, NotAnObjectOrNoResourceType) {
  FhirMappingResult r = map_resource(Value("Patient"), {}, default_fhir_mapping_options());
  EXPECT_EQ(r.issues, (std::vector<FhirIssue>{{"structure", "", "a resource must be a JSON object, not string"}}));
  EXPECT_EQ(issues_of(R"({"id": "x"})"),
            (std::vector<FhirIssue>{{"required", "resourceType", "resourceType is missing or not a string"}}));
}

TEST(FhirProfileMapper, UnsupportedResourceType) {
  FhirMappingResult r = mapped(R"({"resourceType": "DiagnosticReport", "id": "1"})");
  EXPECT_TRUE(r.unsupported);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].code, "not-supported");
  EXPECT_EQ(r.issues[0].expression, "DiagnosticReport");
  EXPECT_EQ(r.issues[0].diagnostics,
            "resourceType DiagnosticReport is not supported (supported: Patient, Encounter, Condition, Observation, "
            "Procedure, MedicationRequest, Appointment)");
  r = mapped(R"({"resourceType": "13800001234"})");
  EXPECT_TRUE(r.unsupported);
  EXPECT_EQ(r.issues[0].expression, "resourceType");
  EXPECT_EQ(r.issues[0].diagnostics.find("13800001234"), std::string::npos);
}

TEST(FhirProfileMapper, IdIsRequiredAndChecked) {
  EXPECT_EQ(issues_of(with(kPatient, {{"id", ""}})),
            (std::vector<FhirIssue>{{"required", "Patient.id",
                                     "Patient.id is missing: records are identified by the resource id (a FHIR "
                                     "server assigns it; a system that pushes resources sends its own)"}}));
  EXPECT_EQ(issues_of(with(kGlucose, {{"id", R"("a/b")"}})),
            (std::vector<FhirIssue>{
                {"value", "Observation.id", "Observation.id may hold only A-Z, a-z, 0-9, '-' and '.' (FHIR id)"}}));
  EXPECT_EQ(issues_of(with(kGlucose, {{"meta.versionId", R"("1 2")"}}))[0].expression, "Observation.meta.versionId");
  // Longer ids than FHIR's 64 characters are taken, as long as the record id fits 256 bytes.
  std::string id(240, '7');
  EXPECT_TRUE(mapped(with(kEncounter, {{"id", ("\"" + id + "\"").c_str()}})).ok());
  EXPECT_EQ(issues_of(with(kGlucose, {{"id", ("\"" + id + "\"").c_str()}})),
            (std::vector<FhirIssue>{{"value", "Observation.id",
                                     "source record id <type>/<id>/_history/<versionId> is 263 bytes; the input "
                                     "contract allows 256"}}));
}

TEST(FhirProfileMapper, WrongJsonTypesAreStructureIssues) {
  std::vector<FhirIssue> issues =
      issues_of(with(kPatient, {{"name", R"({"text": "张测试"})"}, {"birthDate", "19800101"}, {"telecom", R"([1])"}}));
  EXPECT_EQ(issues,
            (std::vector<FhirIssue>{
                {"structure", "Patient.name", "Patient.name must be an array in FHIR JSON, not object"},
                {"structure", "Patient.telecom[0]", "Patient.telecom[0] must be an object in FHIR JSON, not integer"},
                {"structure", "Patient.birthDate", "Patient.birthDate must be a string in FHIR JSON, not integer"}}));
}

TEST(FhirProfileMapper, InvalidValuesAreValueIssuesWithoutTheValue) {
  std::vector<FhirIssue> issues = issues_of(with(kPatient, {{"birthDate", R"("1980-02-30")"}, {"gender", R"("M")"}}));
  EXPECT_EQ(issues,
            (std::vector<FhirIssue>{
                {"value", "Patient.birthDate", "Patient.birthDate is not valid: day out of range for its month"},
                {"value", "Patient.gender", "Patient.gender must be one of male, female, other, unknown"}}));
  issues = issues_of(with(kGlucose, {{"effectivePeriod", ""}, {"effectiveDateTime", R"("2026-05-05 08:00")"}}));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, "value");
  EXPECT_EQ(issues[0].expression, "Observation.effectiveDateTime");
  EXPECT_EQ(issues[0].diagnostics.find("2026"), std::string::npos) << issues[0].diagnostics;
  issues = issues_of(with(kPatient, {{"meta.lastUpdated", R"("2026-05-05")"}}));  // an instant needs its time
  EXPECT_EQ(issues[0].expression, "Patient.meta.lastUpdated");
}

TEST(FhirProfileMapper, PatientWithoutAcceptedIdentifier) {
  EXPECT_EQ(
      issues_of(with(kPatient, {{"identifier", R"([{"system": "http://example.org/x", "value": "1"},
      {"use": "old", "system": "urn:oid:2.16.156.10011.1.13", "value": "2"}])"}})),
      (std::vector<FhirIssue>{
          {"required", "Patient.identifier",
           "Patient.identifier has no identifier of an accepted system (accepted: "
           "http://terminology.hl7.org/CodeSystem/v2-0203|MR, http://terminology.hl7.org/CodeSystem/v2-0203|NNCHN, "
           "urn:oid:2.16.156.10011.1.11, urn:oid:2.16.156.10011.1.12, urn:oid:2.16.156.10011.1.13, "
           "urn:oid:2.16.156.10011.1.19, urn:oid:2.16.156.10011.1.2, urn:oid:2.16.156.10011.1.3); 1 of other "
           "systems ignored"}}));
  EXPECT_EQ(issues_of(with(kPatient, {{"identifier", ""}}))[0].diagnostics.substr(0, 39),
            "Patient.identifier has no identifier (a");
}

TEST(FhirProfileMapper, OverlongIdentifierIsRefusedNotCut) {
  std::string value = "\"" + std::string(1025, '9') + "\"";
  std::vector<FhirIssue> issues =
      issues_of(with(kPatient, {{"identifier", ("[{\"system\": \"urn:oid:2.16.156.10011.1.3\","
                                                " \"value\": " +
                                                value + "}]")
                                                   .c_str()}}));
  EXPECT_EQ(issues, (std::vector<FhirIssue>{{"value", "Patient.identifier[0].value",
                                             "Patient.identifier[0].value is longer than 1024 characters"}}));
}

TEST(FhirProfileMapper, NoTimeToDateTheRecord) {
  EXPECT_EQ(issues_of(with(kPatient, {{"meta", ""}})),
            (std::vector<FhirIssue>{{"required", "Patient.meta.lastUpdated",
                                     "Patient has no time to date its record by: one of Patient.meta.lastUpdated (a "
                                     "Patient has no clinical time; a FHIR server sets it when it stores the "
                                     "resource) is needed"}}));
  EXPECT_EQ(issues_of(with(kEncounter, {{"period", ""}, {"meta", ""}}))[0].expression, "Encounter.period.start");
  EXPECT_EQ(issues_of(with(kCondition, {{"recordedDate", ""}}))[0].expression, "Condition.recordedDate");
  EXPECT_EQ(issues_of(with(kProcedure, {{"performedPeriod", ""}}))[0].expression, "Procedure.performedDateTime");
  EXPECT_EQ(issues_of(with(kMedicationRequest, {{"authoredOn", ""}}))[0].expression, "MedicationRequest.authoredOn");
  EXPECT_EQ(issues_of(with(kAppointment, {{"meta", ""}, {"created", ""}, {"start", ""}}))[0].expression,
            "Appointment.meta.lastUpdated");
}

// A pushed resource is dated as a FHIR server dates what it stores: by when
// it was received, when it carries no meta.lastUpdated of its own.
TEST(FhirProfileMapper, PushedResourceWithoutLastUpdatedIsDatedByItsReceipt) {
  FhirMappingOptions o = default_fhir_mapping_options();
  o.received_at = "2026-11-23T10:00:00.000Z";
  EXPECT_NE(record_json(with(kPatient, {{"meta", ""}}), patient_index(), o)
                .find(R"("occurred_at":"2026-11-23T10:00:00.000Z")"),
            std::string::npos);
  // Its own meta.lastUpdated wins, and a bad one is still refused.
  EXPECT_EQ(record_json(kPatient, patient_index(), o).find("2026-11-23T10:00:00.000Z"), std::string::npos);
  EXPECT_EQ(issues_of(with(kPatient, {{"meta.lastUpdated", R"("2026-05-05")"}}), patient_index(), o)[0].expression,
            "Patient.meta.lastUpdated");
}

TEST(FhirProfileMapper, EncounterStatusIsRequired) {
  EXPECT_EQ(
      issues_of(with(kEncounter, {{"status", ""}}))[0],
      (FhirIssue{"required", "Encounter.status",
                 "Encounter.status is missing (one of: planned, arrived, triaged, in-progress, onleave, finished, "
                 "cancelled, entered-in-error, unknown)"}));
  EXPECT_EQ(issues_of(with(kEncounter, {{"status", R"("done")"}}))[0].code, "value");
}

TEST(FhirProfileMapper, CodesTheItemsNeed) {
  EXPECT_EQ(
      issues_of(with(kCondition, {{"code.coding", R"([{"system": "http://snomed.info/sct", "code": "38341003"}])"}})),
      (std::vector<FhirIssue>{{"value", "Condition.code.coding",
                               "Condition.code has no coding of an ICD-10 system (see the option icd10_systems)"}}));
  EXPECT_EQ(issues_of(with(kCondition,
                           {{"code.coding", R"([{"system": "http://hl7.org/fhir/sid/icd-10", "code": "I1"}])"}}))[0]
                .diagnostics,
            "Condition.code.coding of an ICD-10 system has no code of ICD-10 shape (A00, A00.0, E11.900x001)");
  EXPECT_EQ(issues_of(with(kCondition, {{"code", ""}}))[0],
            (FhirIssue{"required", "Condition.code", "Condition.code is missing: a diagnosis needs its ICD-10 code"}));
  EXPECT_EQ(issues_of(with(kGlucose, {{"code", R"({"text": "血糖"})"}}))[0],
            (FhirIssue{"required", "Observation.code.coding", "Observation.code needs a coding with a code"}));
  EXPECT_EQ(issues_of(with(kGlucose, {{"component", R"([{"code": {"text": "x"}}])"}}))[0].expression,
            "Observation.component[0].code.coding");
  std::string long_code = "[{\"code\": \"" + std::string(33, 'P') + "\"}]";
  EXPECT_EQ(issues_of(with(kProcedure, {{"code.coding", long_code.c_str()}}))[0],
            (FhirIssue{"value", "Procedure.code.coding[0].code",
                       "Procedure.code.coding[0].code is longer than the profile's 32 characters"}));
  EXPECT_EQ(issues_of(with(kMedicationRequest, {{"medicationCodeableConcept", ""}}))[0].expression,
            "MedicationRequest.medicationCodeableConcept");
  // An ICD-10 code sent without its dot gets it back.
  Value v = parsed(record_json(
      with(kCondition, {{"code.coding", R"([{"system": "http://hl7.org/fhir/sid/icd-10", "code": "E11900"}])"}})));
  EXPECT_EQ(v.at_path("diagnoses")->as_array()[0].string_or("code", ""), "E11.900");
}

TEST(FhirProfileMapper, MedicationFromAContainedMedication) {
  std::string json = with(kMedicationRequest, {{"medicationCodeableConcept", ""},
                                               {"medicationReference", R"({"reference": "#m1"})"},
                                               {"contained", R"([{"resourceType": "Medication", "id": "m1",
                                                  "code": {"text": "二甲双胍缓释片"}}])"}});
  EXPECT_EQ(sdk::to_json(*parsed(record_json(json)).at_path("encounter.medication")),
            R"({"display":"二甲双胍缓释片","status":"active"})");
}

TEST(FhirProfileMapper, ManyIssuesAreCapped) {
  std::string telecom = "[";
  for (int i = 0; i < 30; ++i) telecom += std::string(i ? "," : "") + "1";
  telecom += "]";
  std::vector<FhirIssue> issues = issues_of(with(kPatient, {{"telecom", telecom.c_str()}}));
  ASSERT_EQ(issues.size(), 21u);
  EXPECT_EQ(issues.back(), (FhirIssue{"too-costly", "", "more than 20 issues; the rest not listed"}));
}

TEST(FhirProfileMapper, CheckOptions) {
  EXPECT_TRUE(check_fhir_mapping_options(default_fhir_mapping_options()).ok());
  FhirMappingOptions o = default_fhir_mapping_options();
  o.default_utc_offset = "+0800";
  EXPECT_EQ(check_fhir_mapping_options(o).message(), "default_utc_offset must be Z or +HH:MM / -HH:MM (e.g. +08:00)");
  o = default_fhir_mapping_options();
  o.source_system = std::string(65, 'e');
  EXPECT_EQ(check_fhir_mapping_options(o).message(), "source_system must be 1 to 64 characters");
  o = default_fhir_mapping_options();
  o.identifier_systems.clear();
  EXPECT_EQ(check_fhir_mapping_options(o).message(), "identifier_systems is empty: every Patient would be refused");
  o = default_fhir_mapping_options();
  o.icd10_systems.clear();
  EXPECT_EQ(check_fhir_mapping_options(o).message(), "icd10_systems is empty: every Condition would be refused");
  for (const char* key : {"", "|MR", "http://x|"}) {
    o = default_fhir_mapping_options();
    o.identifier_systems[key] = "mrn";
    EXPECT_FALSE(check_fhir_mapping_options(o).ok()) << key;
  }
  for (const char* member : {"address", "birth_date", "Mrn", "mrn_others", "prior_mrn", ""}) {
    o = default_fhir_mapping_options();
    o.identifier_systems["urn:oid:1.2.3"] = member;
    EXPECT_FALSE(check_fhir_mapping_options(o).ok()) << member;
  }
}

}  // namespace
}  // namespace medgate::emr_fhir
