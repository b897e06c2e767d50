// PV1 and the SIU scheduling segments -> the `encounter` facet. Visit and
// appointment numbers are identifiers: they go to `subject`, not here.
#pragma once

#include <span>

#include "hl7_profile_mapper.h"
#include "hl7_segment_reader.h"
#include "hl7_subject.h"
#include "medgate/sdk/value.h"

namespace medgate::his_hl7 {

// PV1-2 class -> visit_type, PV1-3.1 (else PV1-10) -> department, PV1-6.1 ->
// prior_department, PV1-44/45 -> started_at/ended_at, PV1-19 -> subject.visit_number.
Result map_visit(const SegmentAt& pv1, const MappingOptions& options, sdk::Value& encounter, SubjectBuilder& subject);

// SIU: SCH-11.4 (else TQ1-7, AIS-4, AIL-6) -> started_at, SCH-11.5 (else
// TQ1-8) -> ended_at, AIL-3.1 -> department, SCH-1/SCH-2 ->
// subject.placer_appointment_id/filler_appointment_id. No SCH: code 100.
Result map_schedule(std::span<const SegmentAt> segments, const MappingOptions& options, sdk::Value& encounter,
                    SubjectBuilder& subject);

}  // namespace medgate::his_hl7
