// What the identity stage learned from merges (HL7 ADT^A40 and the like):
// a patient token that now stands for another patient's. After the HIS merges
// MRN B into MRN A, records that still carry B get A's token, so analytics and
// outreach see one patient.
//
// Only tokens are kept (never identifiers), one "prior surviving" pair per
// line in STATE/identity/links, appended with fdatasync before the merge
// record is acknowledged. Chains (B -> A, later A -> C) resolve to the end;
// a link that would close a cycle is refused.
#pragma once

#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "medgate/sdk/status.h"

namespace medgate::pipeline {

class PatientLinks {
 public:
  explicit PatientLinks(std::string path) : path_(std::move(path)) {}

  // Reads the file (missing: no links). A malformed line is an error naming it.
  sdk::Status open();
  // The token `token` resolves to (itself when not linked).
  std::string resolve(const std::string& token) const;
  // Makes `prior` resolve to what `surviving` resolves to; durable on return.
  // Nothing to do when they already resolve alike; a cycle is refused.
  sdk::Status link(const std::string& prior, const std::string& surviving);
  std::size_t size() const;

 private:
  std::string resolve_locked(const std::string& token) const;

  std::string path_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::string> next_;  // prior -> surviving (as linked)
};

}  // namespace medgate::pipeline
