// Emitting records that stand or fall together (SDK 1.4): an HL7 message
// mapped to one record per patient, a FHIR transaction Bundle, a FHIR batch
// entry. SourceContext::emit() judges every record alone: a record the
// gateway refuses (content the normalizer or a policy cannot take) is
// quarantined while the others of its batch are committed. emit_units() cuts
// the batch into units and commits each unit all or nothing:
//
//   std::vector<std::size_t> sizes = {2, 1};  // message 1: records 0-1, message 2: record 2
//   EmitResult r = emit_units(ctx, std::move(records), sizes);
//   // r.status not ok: nothing committed (refusal_for(r.status) answers it).
//   // A unit with a record in r.rejected: none of its records reached a
//   // spool or the audit log; the rejected records are quarantined as with
//   // emit(), the others of the unit are dropped. Answer the unit as refused
//   // (and quarantine its raw input). Every other unit is durable.
//
// The sizes add up to records.size() (zero-sized units are allowed); when
// they do not, nothing is committed and the status is invalid_argument.
#pragma once

#include <cstddef>
#include <vector>

#include "medgate/sdk/plugin.h"

namespace medgate::sdk {

// Implemented by the host's source context beside SourceContext; sources
// call the free function below rather than casting themselves.
class MEDGATE_SDK_API UnitEmitter {
 public:
  virtual ~UnitEmitter();
  virtual EmitResult emit_units(std::vector<Record> records, std::vector<std::size_t> unit_sizes) = 0;
};

// Emits through `ctx` in units. A context without unit support (a test double
// that does not implement UnitEmitter) refuses with failed_precondition and
// commits nothing.
MEDGATE_SDK_API EmitResult emit_units(SourceContext& ctx, std::vector<Record> records,
                                      std::vector<std::size_t> unit_sizes);

// How many records an emit_units() whose status is ok committed: the records
// of every unit that holds no rejected one.
MEDGATE_SDK_API std::size_t committed_records(const std::vector<std::size_t>& unit_sizes,
                                              const std::vector<EmitResult::Rejection>& rejected);

}  // namespace medgate::sdk
