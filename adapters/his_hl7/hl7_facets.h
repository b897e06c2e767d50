// DG1, PR1, OBX, NTE and FT1 -> items of the profile's array facets.
//
// A segment the profile cannot hold adds nothing and is no error, but it is
// not silent either: a diagnosis in another code system, a procedure or
// observation without a code (or one over the schema's length), a charge
// without an amount or in another currency each add a `left_out` notice at
// the field (HL7 table 0357 code), which the source returns as a warning ERR
// of its AA. Payments and deleted results are left out by design, without a
// notice. A malformed value the item needs (an invalid DTM, an amount that is
// not a number) is refused with code 102 at its field. Texts over a schema
// limit are cut to it; units over it leave their member out.
#pragma once

#include "hl7_profile_mapper.h"
#include "hl7_segment_reader.h"
#include "medgate/sdk/value.h"

namespace medgate::his_hl7 {

using ItemList = sdk::Value::Array;
using Notices = std::vector<Result>;  // what was left out, and where

// DG1-3 (code ^ text ^ system, system else DG1-2), ICD-10 only; DG1-15
// priority 1 -> role primary, 2 and up -> secondary; DG1-5 -> diagnosed_at.
Result map_diagnosis(const SegmentAt& dg1, const MappingOptions& options, ItemList& diagnoses, Notices& left_out);

// PR1-3 (code ^ text ^ system, system else PR1-2, text else PR1-4); PR1-5 -> performed_at.
Result map_procedure(const SegmentAt& pr1, const MappingOptions& options, ItemList& procedures, Notices& left_out);

// OBX-3 code, OBX-5 value by OBX-2 type, OBX-6 unit, OBX-7 range, OBX-8
// flag, OBX-14 (else OBR-7 of `obr`) observed_at. Free text (TX, FT, or a
// string over 256 characters) becomes a note of kind result_text, which the
// gateway scrubs, rather than a value kept as is.
Result map_observation(const SegmentAt& obx, const SegmentAt* obr, const MappingOptions& options,
                       ItemList& observations, ItemList& notes, Notices& left_out);

// NTE-3 (repetitions joined by newlines) -> a note of `kind`.
void map_note(const SegmentAt& nte, const char* kind, ItemList& notes);

// FT1-11 (else FT1-12 x FT1-10) -> amount_cny, negative for credits (FT1-6
// CD); payments (PY, CO) and other currencies than CNY are left out. FT1-7
// -> category, FT1-4 (else FT1-5) -> charged_at.
Result map_charge(const SegmentAt& ft1, const MappingOptions& options, ItemList& charges, Notices& left_out);

}  // namespace medgate::his_hl7
