// FHIR R4 resources (JSON already parsed into sdk::Value) -> profile input
// records (docs/profile-schema.md), for the emr_fhir source. Plain functions
// with no I/O, so the HTTP endpoint, the poller, tests and a fuzzer share one
// mapping. The element-by-element table is in docs/adapters/emr_fhir.md
// ("Mapping").
//
// Raw identifiers (Patient.identifier, names, telecom, addresses, encounter
// and appointment identifiers) go to `subject` only; the gateway desensitizes
// them. Issues name elements by FHIRPath and say what is wrong, never with
// the value.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "medgate/sdk/plugin.h"
#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"

namespace medgate::emr_fhir {

struct FhirMappingOptions {
  // Which identifiers become which `subject` member. A key is an
  // Identifier.system ("urn:oid:2.16.156.10011.1.3"), or "<system>|<code>" of
  // an Identifier.type coding ("http://terminology.hl7.org/CodeSystem/v2-0203|MR",
  // FHIR's token syntax), which matches whatever the identifier's system is.
  // The system is tried first. Identifiers of other systems and types are
  // ignored; a Patient with none left is refused. Defaults:
  // default_fhir_mapping_options().
  std::map<std::string, std::string> identifier_systems;
  // Coding systems whose codes are ICD-10 (Condition.code).
  std::set<std::string> icd10_systems;
  std::string default_utc_offset = "+08:00";  // for dateTime values without an offset: "Z" or +HH:MM/-HH:MM
  std::string source_system = "emr";          // encounter.source_system, 1..64 characters
  // For resources pushed to the endpoint: when the endpoint received them
  // (RFC 3339, UTC). A resource without meta.lastUpdated is read as if it
  // carried this one, as a FHIR server stamps meta.lastUpdated when it
  // stores a resource. Empty (the poller: the server has set it): such a
  // resource has no meta.lastUpdated.
  std::string received_at;
};

// identifier_systems: the WS/T 500 identifier OIDs (resident ID, health record
// number, outpatient and inpatient numbers, 病案号, health card number) and
// the v2-0203 type codes MR (-> mrn) and NNCHN (-> resident_id);
// icd10_systems: http://hl7.org/fhir/sid/icd-10, .../icd-10-cm and the
// national ICD-10 code table urn:oid:2.16.156.10011.2.3.3.11.
FhirMappingOptions default_fhir_mapping_options();

// Whether `options` can produce valid records: offset form, source_system
// length, non-empty tables, and identifier_systems targets (a lowercase field
// name, not address or birth_date, not *_others or prior_*). For config checks.
sdk::Status check_fhir_mapping_options(const FhirMappingOptions& options);

// One issue of an OperationOutcome (severity error): code per FHIR issue-type
// (structure, required, value, not-supported, ...), expression the FHIRPath
// of the element ("Patient.birthDate", "Observation.component[1].code"),
// diagnostics what is wrong. Never holds a value of the resource.
struct FhirIssue {
  std::string code;
  std::string expression;
  std::string diagnostics;

  friend bool operator==(const FhirIssue&, const FhirIssue&) = default;
};

struct FhirMappingResult {
  std::vector<FhirIssue> issues;  // empty when the resource was accepted
  bool unsupported = false;       // resourceType not supported (issue code not-supported)
  // Usually one. None, with no issue, for a resource that retracts or
  // records nothing that happened (status entered-in-error, a cancelled
  // Observation, a Procedure not done, a refuted Condition): accepted, and
  // nothing to forward.
  std::vector<sdk::Record> records;

  bool ok() const { return issues.empty(); }
};

// The Patient resources a resource may refer to: those of the same Bundle,
// each under "Patient/<id>" and under its entry's fullUrl
// ("urn:uuid:...", "http://.../Patient/1").
struct PatientIndex {
  std::map<std::string, sdk::Value> by_reference;
};

// A single resource (not a Bundle). Encounter, Condition, Observation,
// Procedure, MedicationRequest and Appointment take their subject from the
// Patient they reference when `patients` (or the resource's `contained`)
// has it, else from the reference's identifier; a Patient.link to another
// Patient makes a merge record when that Patient is known the same way.
FhirMappingResult map_resource(const sdk::Value& resource, const PatientIndex& patients,
                               const FhirMappingOptions& options);

// "Patient", "Encounter", ... every resourceType map_resource() accepts.
const std::vector<std::string>& supported_resource_types();

struct BundleEntryResult {
  FhirMappingResult result;
  std::string full_url;       // entry.fullUrl, "" when none
  std::string resource_type;  // resource.resourceType when it looks like one, else ""
  std::string id;             // resource.id when it is a valid id, else ""
};

// A Bundle of type transaction, batch or collection: one result per entry, in
// entry order, after indexing the Bundle's Patient resources. Problems of the
// Bundle itself (not a Bundle, another type, entry not an array) go to
// `bundle_issues` and give no entries. For a transaction the caller treats
// any entry's issue as failing the whole Bundle (bundle_outcome()).
std::vector<BundleEntryResult> map_bundle(const sdk::Value& bundle, const FhirMappingOptions& options,
                                          std::vector<FhirIssue>& bundle_issues);

// An OperationOutcome (FHIR R4 JSON) with one issue per FhirIssue; with no
// issues, one informational issue (an OperationOutcome needs one).
sdk::Value operation_outcome(const std::vector<FhirIssue>& issues);

// One OperationOutcome for a Bundle refused as a whole (a transaction with a
// failing entry): `bundle_issues`, then every entry's issues with their
// expressions rooted at the entry ("Bundle.entry[2].resource.birthDate").
sdk::Value bundle_outcome(const std::vector<FhirIssue>& bundle_issues, const std::vector<BundleEntryResult>& entries);

// A transaction-response or batch-response Bundle: per entry, response.status
// "201 Created" and response.location "<type>/<id>" (when the resource has an
// id) for an accepted entry, or "400 Bad Request" and response.outcome (an
// OperationOutcome) for a refused one.
sdk::Value response_bundle(const std::string& bundle_type, const std::vector<BundleEntryResult>& entries);

}  // namespace medgate::emr_fhir
