// Codes both source formats share: ICD-10 diagnosis codes in the shape the
// input contract accepts, and result flags (HL7 table 0078, which FHIR's
// v3-ObservationInterpretation took over) -> observation.interpretation.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace medgate::profile_mapping {

// ^[A-Z][0-9]{2}(\.[0-9A-Za-z]{1,10})?$ after dropping the dagger/asterisk
// marks (A18.0+, M49.0*) and putting the dot back into a code sent without
// it (J441 -> J44.1); nullopt when the code has another shape.
std::optional<std::string> icd10_code(std::string code);

// N, H, L, HH, LL, A, AA -> normal, high, low, critical_high, critical_low,
// abnormal; nullptr for any other flag.
const char* interpretation(std::string_view flag);

}  // namespace medgate::profile_mapping
