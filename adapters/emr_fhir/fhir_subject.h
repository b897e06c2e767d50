// Patient -> `subject` (raw identifiers, used inside the gateway only) and
// `patient` (gender, birth year), and the way a clinical resource finds its
// Patient: the part of the mapping that reads personal data. Nothing here
// puts a value into an issue.
#pragma once

#include <string>
#include <string_view>

#include "fhir_elements.h"
#include "fhir_profile_mapper.h"
#include "medgate/sdk/value.h"
#include "subject_members.h"

namespace medgate::emr_fhir {

class SubjectBuilder {
 public:
  explicit SubjectBuilder(const FhirMappingOptions& options) : options_(&options) {}

  // Patient.identifier as <prefix><member> by identifier_systems; at least
  // one must be accepted, else a required issue at Patient.identifier.
  // Identifiers with use "old" are left out.
  void add_patient_identifiers(const Element& patient, std::string_view prefix);
  // Patient.name, telecom, birthDate and address -> subject; gender and a
  // birthDate of a year (or year and month) only -> `patient`.
  void add_demographics(const Element& patient, sdk::Value& patient_facet);
  // One Identifier (Reference.identifier) as <prefix><member>; false when
  // its system and type are not accepted or it has no value.
  bool add_identifier(const Element& identifier, std::string_view prefix);
  // Every Identifier.value of owner.member as `name`, whatever the system
  // (Encounter.identifier -> visit_number, Appointment.identifier -> appointment_id).
  void add_values(const Element& owner, std::string_view member, const std::string& name);

  // The members of `other` after these (a merge's prior_* identifiers).
  void append(SubjectBuilder&& other) { members_.append(std::move(other.members_)); }
  bool empty() const { return members_.empty(); }
  // The subject object; null when nothing was added.
  sdk::Value take() { return members_.take(); }

 private:
  using Kind = profile_mapping::SubjectMembers::Kind;
  enum class Outcome { added, not_accepted, refused, unused };

  Outcome add_identifier_of(const Element& identifier, std::string_view prefix);

  const std::string* member_for(const Element& identifier) const;
  // Refuses (value issue at `at`) a value over the contract's 1024 characters.
  bool add(const Element& at, std::string_view member, std::string name, Kind kind, std::string value);
  void add_name(const Element& patient);
  void add_telecom(const Element& person, std::string_view prefix);
  void add_contacts(const Element& patient);
  void add_address(const Element& patient);

  const FhirMappingOptions* options_;
  profile_mapping::SubjectMembers members_;
};

// The Patient a reference names: "#id" among the resource's contained
// resources, else `patients` by the reference as written, else by
// "Patient/<id>" taken from an absolute or versioned reference. nullptr when
// none.
const sdk::Value* find_patient(const Element& resource, const PatientIndex& patients, std::string_view reference);

// The subject of a clinical resource from the Patient `reference` names
// (Encounter.subject): that Patient's identifiers and demographics, else
// the reference's identifier. False, with a required issue at the
// reference, when neither gives an identifier of an accepted system.
bool add_referenced_patient(const Element& resource, const Element& reference, const PatientIndex& patients,
                            SubjectBuilder& subject, sdk::Value& patient_facet);

}  // namespace medgate::emr_fhir
