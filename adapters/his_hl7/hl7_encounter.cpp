#include "hl7_encounter.h"

namespace medgate::his_hl7 {
namespace {

using sdk::Value;

constexpr std::size_t kMaxDepartmentChars = 128;  // encounter.department in the input contract

// HL7 table 0004. Preadmit (P), commercial account (C), not applicable (N)
// and unknown (U) say nothing about the kind of visit: no visit_type.
const char* visit_type(const std::string& patient_class) {
  if (patient_class == "I" || patient_class == "B") return "inpatient";   // B: obstetrics
  if (patient_class == "O" || patient_class == "R") return "outpatient";  // R: recurring patient
  if (patient_class == "E") return "emergency";
  return nullptr;
}

}  // namespace

Result map_visit(const SegmentAt& pv1, const MappingOptions& options, Value& encounter, SubjectBuilder& subject) {
  put_text(encounter, "department", pv1.text(3, 1), kMaxDepartmentChars, pv1.text(10));
  if (const char* type = visit_type(pv1.text(2))) encounter["visit_type"] = type;
  if (auto e = put_timestamp({{&pv1, 44}}, options.default_utc_offset, "started_at", encounter); !e.ok()) return e;
  if (auto e = put_timestamp({{&pv1, 45}}, options.default_utc_offset, "ended_at", encounter); !e.ok()) return e;
  put_text(encounter, "prior_department", pv1.text(6, 1), kMaxDepartmentChars);  // A02: where the patient came from
  return subject.add_identifier(pv1, 19, "visit_number");
}

Result map_schedule(std::span<const SegmentAt> segments, const MappingOptions& options, Value& encounter,
                    SubjectBuilder& subject) {
  const SegmentAt* sch = find_segment(segments, "SCH");
  if (!sch) return missing_segment("SCH", "SCH segment missing");
  const SegmentAt* tq1 = find_segment(segments, "TQ1");
  const SegmentAt* ais = find_segment(segments, "AIS");
  const SegmentAt* ail = find_segment(segments, "AIL");
  if (ail) put_text(encounter, "department", ail->text(3, 1), kMaxDepartmentChars);
  if (auto e = put_timestamp({{sch, 11, 4}, {tq1, 7}, {ais, 4}, {ail, 6}}, options.default_utc_offset, "started_at",
                             encounter);
      !e.ok())
    return e;
  if (auto e = put_timestamp({{sch, 11, 5}, {tq1, 8}}, options.default_utc_offset, "ended_at", encounter); !e.ok())
    return e;
  if (auto e = subject.add_identifier(*sch, 1, "placer_appointment_id"); !e.ok()) return e;
  return subject.add_identifier(*sch, 2, "filler_appointment_id");
}

}  // namespace medgate::his_hl7
