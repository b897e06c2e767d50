// FHIR R4 resources shaped like the spec's examples (patient-example,
// encounter-example, observation-example-f001-glucose, condition-example,
// the transaction Bundle of bundle-transaction), with synthetic Chinese data:
// names (张测试), phone numbers (1380000xxxx) and resident ID numbers are
// fake; the ID numbers have valid GB 11643 check digits.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "fhir_profile_mapper.h"
#include "medgate/sdk/json.h"
#include "medgate/sdk/value.h"

namespace medgate::emr_fhir {

inline void PrintTo(const FhirIssue& i, std::ostream* os) {
  *os << "{" << i.code << ", " << i.expression << ", " << i.diagnostics << "}";
}

namespace samples {

inline const std::string kPatient = R"({
  "resourceType": "Patient", "id": "example",
  "meta": {"versionId": "2", "lastUpdated": "2026-05-05T08:30:00+08:00"},
  "identifier": [
    {"use": "usual",
     "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
     "system": "http://hospital.example.cn/fhir/sid/mrn", "value": "MRN0001234",
     "assigner": {"display": "测试医院"}},
    {"use": "official", "system": "urn:oid:2.16.156.10011.1.3", "value": "510107198001011235"},
    {"system": "urn:oid:2.16.156.10011.1.19", "value": "HC0000123"},
    {"system": "http://example.org/fhir/sid/other", "value": "X-1"},
    {"use": "old", "system": "urn:oid:2.16.156.10011.1.13", "value": "OLD-0001"}],
  "active": true,
  "name": [{"use": "usual", "text": "小测"},
           {"use": "official", "family": "张", "given": ["测试"]}],
  "telecom": [{"system": "phone", "value": "13800001234", "use": "mobile", "rank": 1},
              {"system": "phone", "value": "010-62345678", "use": "home"},
              {"system": "email", "value": "test@example.com"},
              {"system": "phone", "value": "13800009999", "use": "old"},
              {"system": "fax", "value": "010-62345679"}],
  "gender": "male", "birthDate": "1980-01-01",
  "address": [{"use": "home", "type": "both", "line": ["某路97号1930室"], "district": "某区",
               "city": "成都市", "state": "四川省", "postalCode": "610000", "country": "CN"}],
  "managingOrganization": {"reference": "Organization/1"}})";

inline const std::string kEncounter = R"({
  "resourceType": "Encounter", "id": "example", "meta": {"lastUpdated": "2026-05-05T08:35:00+08:00"},
  "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">住院</div>"},
  "identifier": [{"system": "http://hospital.example.cn/fhir/sid/visit", "value": "V20260505001"}],
  "status": "in-progress",
  "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP",
            "display": "inpatient encounter"},
  "serviceType": {"text": "心血管内科"},
  "subject": {"reference": "Patient/example"},
  "period": {"start": "2026-05-05T08:30:00+08:00"},
  "location": [{"location": {"display": "心内一病区"}}],
  "serviceProvider": {"display": "心内科"}})";

inline const std::string kGlucose = R"({
  "resourceType": "Observation", "id": "f001",
  "meta": {"versionId": "1", "lastUpdated": "2026-05-05T10:00:00+08:00"},
  "identifier": [{"use": "official", "system": "http://www.bmc.nl/zorgportal/identifiers/observations",
                  "value": "6323"}],
  "status": "final",
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "laboratory"}]}],
  "code": {"coding": [{"system": "http://loinc.org", "code": "15074-8",
                       "display": "Glucose [Moles/volume] in Blood"}], "text": "血糖"},
  "subject": {"reference": "Patient/example"},
  "effectivePeriod": {"start": "2026-05-05T07:30:10+08:00"},
  "issued": "2026-05-05T09:30:10.123+08:00",
  "performer": [{"reference": "Practitioner/f005", "display": "A. Langeveld"}],
  "valueQuantity": {"value": 6.3, "unit": "mmol/l", "system": "http://unitsofmeasure.org", "code": "mmol/L"},
  "interpretation": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
                                  "code": "H", "display": "High"}]}],
  "referenceRange": [{"low": {"value": 3.1, "unit": "mmol/l", "system": "http://unitsofmeasure.org",
                              "code": "mmol/L"},
                      "high": {"value": 6.2, "unit": "mmol/l", "system": "http://unitsofmeasure.org",
                               "code": "mmol/L"}}],
  "note": [{"text": "空腹采血", "time": "2026-05-05T07:31:00+08:00"}]})";

inline const std::string kCondition = R"({
  "resourceType": "Condition", "id": "example",
  "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                 "code": "active"}]},
  "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                     "code": "confirmed"}]},
  "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category",
                            "code": "encounter-diagnosis"}]}],
  "severity": {"coding": [{"system": "http://snomed.info/sct", "code": "24484000", "display": "Severe"}]},
  "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003", "display": "Hypertension"},
                      {"system": "urn:oid:2.16.156.10011.2.3.3.11", "code": "I10.x00x002",
                       "display": "原发性高血压"}],
           "text": "高血压"},
  "subject": {"reference": "Patient/example"},
  "onsetDateTime": "2020",
  "recordedDate": "2026-05-05T09:00:00+08:00",
  "note": [{"text": "家族史阳性"}]})";

inline const std::string kProcedure = R"({
  "resourceType": "Procedure", "id": "example", "status": "completed",
  "code": {"coding": [{"system": "urn:oid:2.16.156.10011.2.3.3.12", "code": "88.5601",
                       "display": "冠状动脉造影"}]},
  "subject": {"reference": "Patient/example"},
  "performedPeriod": {"start": "2026-05-06T10:00:00+08:00", "end": "2026-05-06T11:00:00+08:00"}})";

inline const std::string kMedicationRequest = R"({
  "resourceType": "MedicationRequest", "id": "medrx0301", "status": "active", "intent": "order",
  "medicationCodeableConcept": {"coding": [{"system": "http://www.whocc.no/atc", "code": "C08CA01",
                                            "display": "amlodipine"}], "text": "苯磺酸氨氯地平片 5mg"},
  "subject": {"reference": "Patient/example"},
  "authoredOn": "2026-05-05",
  "dosageInstruction": [{"text": "每日一次，每次一片，口服"}]})";

inline const std::string kAppointment = R"({
  "resourceType": "Appointment", "id": "example",
  "meta": {"lastUpdated": "2026-05-01T09:00:00+08:00"},
  "identifier": [{"system": "http://hospital.example.cn/fhir/sid/appointment", "value": "APT-0001"}],
  "status": "booked",
  "serviceType": [{"coding": [{"code": "52", "display": "General Discussion"}], "text": "复诊"}],
  "start": "2026-05-10T14:30:00+08:00", "end": "2026-05-10T15:00:00+08:00",
  "created": "2026-04-30",
  "comment": "请携带既往检查报告",
  "participant": [
    {"actor": {"reference": "Patient/example", "display": "张测试"}, "required": "required", "status": "accepted"},
    {"actor": {"reference": "Practitioner/example", "display": "王医生"}, "status": "accepted"},
    {"actor": {"reference": "Location/1", "display": "内分泌科"}, "status": "accepted"}]})";

// bundle-transaction shaped: a Patient and an Encounter that refers to it by
// its urn:uuid fullUrl, both PUT with ids the pushing system owns.
inline const std::string kTransaction = R"({
  "resourceType": "Bundle", "id": "bundle-transaction", "type": "transaction",
  "entry": [
    {"fullUrl": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a",
     "resource": {"resourceType": "Patient", "id": "p2",
                  "meta": {"lastUpdated": "2026-05-05T08:00:00+08:00"},
                  "identifier": [{"system": "urn:oid:2.16.156.10011.1.3", "value": "110105198506151236"},
                                 {"system": "urn:oid:2.16.156.10011.1.13", "value": "MRN0005678"}],
                  "name": [{"text": "欧阳测试"}], "gender": "female", "birthDate": "1985-06",
                  "telecom": [{"system": "sms", "value": "13800005678"}]},
     "request": {"method": "PUT", "url": "Patient/p2"}},
    {"fullUrl": "urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059",
     "resource": {"resourceType": "Encounter", "id": "e2", "status": "finished",
                  "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
                  "subject": {"reference": "urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},
                  "period": {"start": "2026-05-05T09:00:00", "end": "2026-05-05T09:20:00"},
                  "serviceProvider": {"reference": "Organization/d1", "display": "内分泌科"}},
     "request": {"method": "PUT", "url": "Encounter/e2"}}]})";

inline sdk::Value parsed(const std::string& json) {
  sdk::Value v;
  sdk::Status s = sdk::parse_json(json, v);
  EXPECT_TRUE(s.ok()) << s.message() << ": " << json;
  return v;
}

inline std::string canonical(const std::string& json) {
  return sdk::to_json(parsed(json));
}

// `json` with `changes` applied: {dotted path, new value as JSON}; "" deletes.
inline std::string with(const std::string& json, std::initializer_list<std::pair<const char*, const char*>> changes) {
  sdk::Value v = parsed(json);
  for (const auto& [path, value] : changes) {
    if (std::string_view(value).empty()) {
      v.erase_path(path);
      continue;
    }
    sdk::Value replacement;
    EXPECT_TRUE(sdk::parse_json(value, replacement).ok()) << value;
    v.set_path(path, std::move(replacement));
  }
  return sdk::to_json(v);
}

// An index holding kPatient under "Patient/example".
inline PatientIndex patient_index() {
  PatientIndex index;
  index.by_reference.emplace("Patient/example", parsed(kPatient));
  return index;
}

}  // namespace samples
}  // namespace medgate::emr_fhir
