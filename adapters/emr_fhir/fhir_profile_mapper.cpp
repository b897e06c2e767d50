#include "fhir_profile_mapper.h"

#include <array>

#include "fhir_elements.h"
#include "fhir_resources.h"
#include "profile_datetime.h"
#include "profile_text.h"
#include "subject_members.h"

namespace medgate::emr_fhir {
namespace {

using sdk::Value;

constexpr std::size_t kMaxSourceRecordId = 256;  // bytes, input contract
constexpr std::size_t kMaxSourceSystem = 64;

struct ResourceKind {
  std::string_view type;
  ResourceMapper map;
  const char* time_element;  // the first of the elements that date the record, for the issue
  const char* time_elements;
};

constexpr std::array<ResourceKind, 7> kKinds{{
    {"Patient", map_patient, "Patient.meta.lastUpdated",
     "Patient.meta.lastUpdated (a Patient has no clinical time; a FHIR server sets it when it stores the resource)"},
    {"Encounter", map_encounter, "Encounter.period.start",
     "Encounter.period.start (Encounter.period.end for a discharge) or Encounter.meta.lastUpdated"},
    {"Condition", map_condition, "Condition.recordedDate",
     "Condition.recordedDate, Condition.onsetDateTime or Condition.meta.lastUpdated"},
    {"Observation", map_observation, "Observation.effectiveDateTime",
     "Observation.effectiveDateTime, Observation.effectiveInstant, Observation.effectivePeriod.start, "
     "Observation.issued or Observation.meta.lastUpdated"},
    {"Procedure", map_procedure, "Procedure.performedDateTime",
     "Procedure.performedDateTime, Procedure.performedPeriod.start or Procedure.meta.lastUpdated"},
    {"MedicationRequest", map_medication_request, "MedicationRequest.authoredOn",
     "MedicationRequest.authoredOn or MedicationRequest.meta.lastUpdated"},
    {"Appointment", map_appointment, "Appointment.meta.lastUpdated",
     "Appointment.meta.lastUpdated, Appointment.created or Appointment.start"},
}};

std::string supported_list() {
  std::string out;
  for (const std::string& t : supported_resource_types()) out += (out.empty() ? "" : ", ") + t;
  return out;
}

// "<type>/<id>" or "<type>/<id>/_history/<versionId>", with issues for a
// missing or malformed id or version and for one over the contract's 256 bytes.
std::string source_record_id(const Element& resource, const Element& meta) {
  IssueList& issues = resource.issues();
  const std::string& type = resource.path();
  std::string id = resource.text("id"), version = meta.text("versionId");
  if (id.empty()) {
    issues.add(kRequired, type + ".id",
               type +
                   ".id is missing: records are identified by the resource id (a FHIR server assigns it; a system "
                   "that pushes resources sends its own)");
    return {};
  }
  if (!is_fhir_id(id, kMaxSourceRecordId)) {
    issues.add(kValue, type + ".id", type + ".id may hold only A-Z, a-z, 0-9, '-' and '.' (FHIR id)");
    return {};
  }
  if (!version.empty() && !is_fhir_id(version, kMaxSourceRecordId)) {
    issues.add(kValue, meta.path_of("versionId"),
               meta.path_of("versionId") + " may hold only A-Z, a-z, 0-9, '-' and '.' (FHIR id)");
    return {};
  }
  std::string out = type + "/" + id;
  if (!version.empty()) out += "/_history/" + version;
  if (out.size() > kMaxSourceRecordId) {
    issues.add(kValue, type + ".id",
               "source record id <type>/<id>" + std::string(version.empty() ? "" : "/_history/<versionId>") + " is " +
                   std::to_string(out.size()) + " bytes; the input contract allows " +
                   std::to_string(kMaxSourceRecordId));
    return {};
  }
  return out;
}

Value assemble(std::string record_id, const MappedResource& m, std::string occurred_at, Value subject) {
  Value record = Value::object();
  record["source_record_id"] = std::move(record_id);
  record["event_type"] = m.event_type;
  record["occurred_at"] = std::move(occurred_at);
  if (!subject.is_null()) record["subject"] = std::move(subject);
  if (!m.patient.is_null()) record["patient"] = m.patient;
  if (!m.encounter.is_null()) record["encounter"] = m.encounter;
  std::pair<const char*, const Value::Array*> lists[] = {{"diagnoses", &m.diagnoses},
                                                         {"procedures", &m.procedures},
                                                         {"observations", &m.observations},
                                                         {"notes", &m.notes}};
  for (const auto& [name, items] : lists)
    if (!items->empty()) record[name] = Value(*items);
  return record;
}

}  // namespace

FhirMappingOptions default_fhir_mapping_options() {
  FhirMappingOptions o;
  // WS/T 500 (电子病历共享文档规范) identifier OIDs, and HL7 v2 table 0203 type codes.
  o.identifier_systems = {{"urn:oid:2.16.156.10011.1.2", "health_record_number"},  // 健康档案标识号
                          {"urn:oid:2.16.156.10011.1.3", "resident_id"},           // 居民身份证号
                          {"urn:oid:2.16.156.10011.1.11", "outpatient_number"},    // 门（急）诊号
                          {"urn:oid:2.16.156.10011.1.12", "inpatient_number"},     // 住院号
                          {"urn:oid:2.16.156.10011.1.13", "mrn"},                  // 病案号
                          {"urn:oid:2.16.156.10011.1.19", "health_card_number"},   // 居民健康卡号
                          {"http://terminology.hl7.org/CodeSystem/v2-0203|MR", "mrn"},
                          {"http://terminology.hl7.org/CodeSystem/v2-0203|NNCHN", "resident_id"}};
  o.icd10_systems = {"http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm",
                     "urn:oid:2.16.156.10011.2.3.3.11"};  // 疾病分类与代码 (GB/T 14396, ICD-10)
  return o;
}

sdk::Status check_fhir_mapping_options(const FhirMappingOptions& options) {
  if (!profile_mapping::is_rfc3339_offset(options.default_utc_offset))
    return sdk::Status::Invalid("default_utc_offset must be Z or +HH:MM / -HH:MM (e.g. +08:00)");
  if (options.source_system.empty() || profile_mapping::characters(options.source_system) > kMaxSourceSystem)
    return sdk::Status::Invalid("source_system must be 1 to 64 characters");
  if (options.identifier_systems.empty())
    return sdk::Status::Invalid("identifier_systems is empty: every Patient would be refused");
  if (options.icd10_systems.empty())
    return sdk::Status::Invalid("icd10_systems is empty: every Condition would be refused");
  for (const auto& [key, member] : options.identifier_systems) {
    std::size_t bar = key.find('|');
    if (key.empty() || bar == 0 || (bar != std::string::npos && bar + 1 == key.size()))
      return sdk::Status::Invalid("identifier_systems: a key must be an Identifier.system or <system>|<type code>");
    if (!profile_mapping::is_identifier_member(member))
      return sdk::Status::Invalid("identifier_systems: '" + key + "' maps to '" + member +
                                  "', which is not an identifier member of subject (a lowercase name such as mrn, "
                                  "resident_id, insurance_number; not address, birth_date, *_others or prior_*)");
  }
  return sdk::Status::Ok();
}

const std::vector<std::string>& supported_resource_types() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const ResourceKind& k : kKinds) names.emplace_back(k.type);
    return names;
  }();
  return kNames;
}

FhirMappingResult map_resource(const Value& resource, const PatientIndex& patients, const FhirMappingOptions& options) {
  FhirMappingResult r;
  if (!resource.is_object()) {
    r.issues.push_back(
        {kStructure, "", std::string("a resource must be a JSON object, not ") + sdk::type_name(resource.type())});
    return r;
  }
  const Value* type = resource.find("resourceType");
  if (!type || !type->is_string() || type->as_string().empty()) {
    r.issues.push_back({kRequired, "resourceType", "resourceType is missing or not a string"});
    return r;
  }
  const ResourceKind* kind = nullptr;
  for (const ResourceKind& k : kKinds)
    if (k.type == type->as_string()) kind = &k;
  if (!kind) {
    std::string shown = shown_type(type->as_string());
    r.unsupported = true;
    r.issues.push_back({kNotSupported, shown == "(not shown)" ? "resourceType" : shown,
                        "resourceType " + shown + " is not supported (supported: " + supported_list() + ")"});
    return r;
  }

  IssueList issues;
  Element root(&resource, std::string(kind->type), issues);
  Element meta = root.object("meta");
  std::string record_id = source_record_id(root, meta);
  std::string last_updated = meta.has("lastUpdated")
                                 ? timestamp(meta, "lastUpdated", FhirTimeType::instant, options.default_utc_offset)
                                 : options.received_at;
  ResourceInput in{root, patients, options, std::move(last_updated)};
  MappedResource mapped(options);
  kind->map(in, mapped);
  std::string occurred_at = mapped.occurred_at.empty() ? in.last_updated : mapped.occurred_at;
  if (mapped.has_record && occurred_at.empty())
    issues.add(
        kRequired, kind->time_element,
        std::string(kind->type) + " has no time to date its record by: one of " + kind->time_elements + " is needed");
  Value subject = mapped.subject.take();
  r.issues = issues.take();
  if (!r.issues.empty() || !mapped.has_record) return r;
  r.records.push_back({assemble(std::move(record_id), mapped, std::move(occurred_at), std::move(subject))});
  return r;
}

}  // namespace medgate::emr_fhir
