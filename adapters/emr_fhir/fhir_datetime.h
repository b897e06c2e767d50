// FHIR date, dateTime and instant values -> date-time parts (then RFC 3339
// through profile_mapping). FHIR requires an offset whenever a time is
// given; a value without one is read in the configured offset instead of
// being refused, as EMRs often send local time.
#pragma once

#include <string>
#include <string_view>

#include "profile_datetime.h"

namespace medgate::emr_fhir {

enum class FhirTimeType {
  date,       // YYYY, YYYY-MM or YYYY-MM-DD (Patient.birthDate)
  date_time,  // a date, or YYYY-MM-DDThh:mm:ss[.s+][Z|+hh:mm|-hh:mm]
  instant,    // YYYY-MM-DDThh:mm:ss[.s+][Z|+hh:mm|-hh:mm] (meta.lastUpdated, Observation.issued)
};

// Parses `text` as `type`; on failure returns false with `problem` saying
// what is wrong (never the value itself, which may be a birth date).
bool parse_fhir_datetime(std::string_view text, FhirTimeType type, profile_mapping::DateTimeParts& out,
                         std::string& problem);

}  // namespace medgate::emr_fhir
