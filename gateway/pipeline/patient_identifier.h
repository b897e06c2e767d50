// Stage 2, identify: names the patient with a pseudonymous token, the keyed
// hash of the first identifier present among the configured fields (e.g. the
// resident ID, else the MRN), and stores it as patient.token. The domain of
// the hash is the field path, so `medgatectl token --field subject.mrn V`
// reproduces it.
#pragma once

#include <string>
#include <vector>

#include "crypto/keyed_hash.h"
#include "medgate/sdk/value.h"

namespace medgate::pipeline {

class PatientIdentifier {
 public:
  PatientIdentifier(const crypto::KeyedHasher& hasher, std::vector<std::string> fields)
      : hasher_(hasher), fields_(std::move(fields)) {}
  // Sets patient.token; returns it (empty when the record names no patient).
  std::string identify(sdk::Value& body) const;

 private:
  const crypto::KeyedHasher& hasher_;
  std::vector<std::string> fields_;
};

// The canonical text of an identifier value (strings trimmed; numbers as written).
std::string identifier_text(const sdk::Value& v);

}  // namespace medgate::pipeline
