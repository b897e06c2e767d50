// PID and MRG -> `subject` (raw identifiers, used inside the gateway only)
// and `patient` (gender, birth year): the part of the mapping that reads
// personal data. Nothing here puts a value into a message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hl7_profile_mapper.h"
#include "hl7_segment_reader.h"
#include "medgate/sdk/value.h"
#include "subject_members.h"

namespace medgate::his_hl7 {

class SubjectBuilder {
 public:
  explicit SubjectBuilder(const MappingOptions& options) : options_(options) {}

  // PID-3 identifiers (at least one of an accepted type, else code 101),
  // PID-5 name (PID-9 aliases after it: to name_others), PID-7 birth date, PID-8 sex, PID-11 address, PID-13/PID-14
  // phones and e-mail addresses. Gender and a year-only birth date go to `patient`.
  Result add_patient(const SegmentAt& pid, sdk::Value& patient);
  // NK1 (next of kin, a person other than the patient): NK1-2 names,
  // NK1-4 addresses, NK1-5/NK1-6 phones and e-mail addresses as kin_name,
  // kin_address, kin_phone, kin_email: never tokens or identity, only terms
  // the scrubber looks for in free text (a relative's name in a note).
  Result add_next_of_kin(const SegmentAt& nk1);
  // MRG-1 identifiers (same type table) and MRG-5 visit number, as prior_<member>.
  Result add_prior(const SegmentAt& mrg);
  // An identifier from another field (PV1-19 visit number, SCH-1 appointment id).
  Result add_identifier(const SegmentAt& s, std::size_t field, std::string_view member);

  // The subject object; null when nothing was added.
  sdk::Value take();

 private:
  using Kind = profile_mapping::SubjectMembers::Kind;

  Result add_identifier_list(const SegmentAt& s, std::size_t field, std::string_view prefix);
  // XTN phones and e-mails of `field` as <prefix>phone / <prefix>email.
  Result add_contacts(const SegmentAt& s, std::size_t field, std::string_view prefix);
  Result add(const SegmentAt& s, std::size_t field, std::size_t repetition, std::string name, Kind kind,
             std::string value);
  const std::string* member_for(const std::string& type, const std::string& authority) const;

  const MappingOptions& options_;
  profile_mapping::SubjectMembers members_;
};

}  // namespace medgate::his_hl7
