// One mapper per supported resourceType: the resource's elements -> the
// parts of its record. The envelope (source_record_id, and occurred_at's
// last resort meta.lastUpdated) is fhir_profile_mapper.cpp's. Problems go to
// the resource element's IssueList; the caller turns any into a refusal.
#pragma once

#include <string>

#include "fhir_elements.h"
#include "fhir_profile_mapper.h"
#include "fhir_subject.h"
#include "medgate/sdk/value.h"

namespace medgate::emr_fhir {

struct ResourceInput {
  const Element& resource;
  const PatientIndex& patients;
  const FhirMappingOptions& options;
  std::string last_updated;  // meta.lastUpdated as RFC 3339, "" when none
};

struct MappedResource {
  explicit MappedResource(const FhirMappingOptions& options) : subject(options) {}

  bool has_record = true;  // false: accepted, nothing to forward (entered-in-error, ...)
  const char* event_type = nullptr;
  std::string occurred_at;  // "": meta.lastUpdated
  SubjectBuilder subject;
  sdk::Value patient, encounter;
  sdk::Value::Array diagnoses, procedures, observations, notes;
};

using ResourceMapper = void (*)(const ResourceInput&, MappedResource&);

// fhir_patient.cpp: event update, or merge for a Patient.link replaces /
// replaced-by whose other Patient is known.
void map_patient(const ResourceInput& in, MappedResource& out);

// fhir_encounter.cpp: Encounter (event by class and status, encounter facet)
// and Appointment (event appointment).
void map_encounter(const ResourceInput& in, MappedResource& out);
void map_appointment(const ResourceInput& in, MappedResource& out);

// fhir_clinical.cpp: Condition -> diagnoses, Procedure -> procedures,
// Observation -> observations (event result), MedicationRequest ->
// encounter.medication (the profile has no medication facet).
void map_condition(const ResourceInput& in, MappedResource& out);
void map_procedure(const ResourceInput& in, MappedResource& out);
void map_observation(const ResourceInput& in, MappedResource& out);
void map_medication_request(const ResourceInput& in, MappedResource& out);

// A coding system URI as the profile writes it: http://loinc.org -> LOINC,
// http://snomed.info/sct -> SNOMED CT, ...; another URI as it is when it has
// at most `max_chars` characters, else "".
std::string system_name(const std::string& uri, std::size_t max_chars);

}  // namespace medgate::emr_fhir
