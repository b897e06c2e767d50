// HL7 v2 message -> profile input records (docs/profile-schema.md), for the
// his_hl7 source. A plain function with no I/O, so the source, tests and a
// fuzzer share one mapping. The field-by-field table is in
// docs/adapters/his_hl7.md ("Mapping").
//
// Raw identifiers (PID-3, names, phones, addresses, visit and appointment
// numbers) go to `subject` only; the gateway desensitizes them. Error
// messages name segments, fields and type codes, never values.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "medgate/sdk/hl7.h"
#include "medgate/sdk/plugin.h"
#include "medgate/sdk/status.h"

namespace medgate::his_hl7 {

struct MappingOptions {
  // PID-3 / MRG-1 identifier type code (CX.5) -> subject member. A key
  // "TYPE@AUTHORITY" matches that type with assigning authority CX.4.1 and is
  // tried first; the key "" matches identifiers without a type code. Defaults:
  // default_mapping_options(). Identifiers of other types are ignored unless
  // none is left (then the message is refused, code 101 at PID-3).
  std::map<std::string, std::string> identifier_types;
  std::string default_utc_offset = "+08:00";  // for DTM values without an offset: "Z" or +HH:MM/-HH:MM
  std::string source_system = "his";          // encounter.source_system, 1..64 characters
};

// MR, PI, PT -> mrn; NNCHN and NN@CHN -> resident_id; JHN, SS, HC -> insurance_number.
MappingOptions default_mapping_options();

// Whether `options` can produce valid records: offset form, source_system
// length, and identifier_types targets (a lowercase field name that is not
// one of the typed subject members address/birth_date). For config checks.
sdk::Status check_mapping_options(const MappingOptions& options);

struct MappingResult {
  // ok(), or why the message cannot be mapped: code per HL7 table 0357 and
  // the location of the segment/field, for the ACK's ERR segment.
  sdk::hl7::Result error;
  // The message type, trigger or version is not supported (error.code 200,
  // 201 or 203): the source answers AR rather than AE.
  bool unsupported = false;
  // One per patient in the message (PID segment), usually one.
  std::vector<sdk::Record> records;
  // Segments the profile cannot hold (a diagnosis in another code system, a
  // charge in another currency, ...), located: warnings of the AA
  // (hl7_facets.h).
  std::vector<sdk::hl7::Result> left_out;
};

MappingResult map_message(const sdk::hl7::Message& message, const MappingOptions& options);

// "ADT^A01", ... every message type^trigger map_message() accepts.
const std::vector<std::string>& supported_messages();

}  // namespace medgate::his_hl7
