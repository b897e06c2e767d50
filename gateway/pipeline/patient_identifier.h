// Stage 2, identify: names the patient with a pseudonymous token, the keyed
// hash of the first identifier present among the configured fields (e.g. the
// resident ID, else the MRN), and stores it as patient.token. The domain of
// the hash is the field path, so `medgatectl token --field subject.mrn V`
// reproduces it.
//
// Merges: a record with event_type "merge" names the identifiers the patient
// was known by before in subject.prior_<member> (e.g. subject.prior_mrn from
// HL7 MRG-1). The token those would have given is linked to this record's
// token (patient_links.h), and every later record resolves through the links:
// after the HIS merged MRN B into MRN A, records still carrying B get A's
// token.
#pragma once

#include <string>
#include <vector>

#include "crypto/keyed_hash.h"
#include "pipeline/patient_links.h"
#include "medgate/sdk/value.h"

namespace medgate::pipeline {

class PatientIdentifier {
 public:
  // `links` may be null (no merges are learned or applied).
  PatientIdentifier(const crypto::KeyedHasher& hasher, std::vector<std::string> fields,
                    PatientLinks* links = nullptr)
      : hasher_(hasher), fields_(std::move(fields)), links_(links) {}
  // Sets patient.token; returns it (empty when the record names no patient).
  // Throws std::runtime_error when a merge cannot be recorded durably (the
  // record is then refused, and its source answers with an error).
  std::string identify(sdk::Value& body) const;

 private:
  // The raw token of the first identity field present, with `prefix`
  // inserted before the member name ("subject.prior_mrn" for "subject.mrn").
  std::string token_of(const sdk::Value& body, std::string_view prefix) const;

  const crypto::KeyedHasher& hasher_;
  std::vector<std::string> fields_;
  PatientLinks* links_;
};

// The canonical text of an identifier value (strings trimmed; numbers as written).
std::string identifier_text(const sdk::Value& v);

}  // namespace medgate::pipeline
