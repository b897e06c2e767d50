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

// Orders two FHIR instants by the moment they name (<0, 0, >0), whatever
// their offsets and however many fraction digits they carry:
// "2026-11-21T01:00:00Z" is after "2026-11-21T08:00:00+08:00", and
// "...T08:00:00.50+08:00" equals "...T00:00:00.5Z". A value without an offset
// is read in `default_offset`. When either does not parse as an instant the
// two are compared as text (what a server that keeps one form gives anyway).
int compare_instants(std::string_view a, std::string_view b, std::string_view default_offset);

}  // namespace medgate::emr_fhir
