// Encounter and Appointment -> the `encounter` facet. Encounter and
// appointment identifiers are identifiers: they go to `subject`, not here.
#include <array>
#include <span>
#include <string_view>

#include "fhir_resources.h"
#include "profile_text.h"

namespace medgate::emr_fhir {
namespace {

using sdk::Value;

constexpr std::size_t kMaxDepartmentChars = 128;  // encounter.department in the input contract
constexpr std::size_t kMaxServiceTypeChars = 256;

struct EncounterClass {
  const char* visit_type;  // nullptr: the class says nothing about it
  bool inpatient;
};

// Encounter.class (v3 ActCode). Home health, field, observation,
// pre-admission and short stay encounters have no visit_type.
EncounterClass encounter_class(const std::string& code) {
  if (code == "IMP" || code == "ACUTE" || code == "NONAC") return {"inpatient", true};
  if (code == "AMB") return {"outpatient", false};
  if (code == "EMER") return {"emergency", false};
  if (code == "VR") return {"telehealth", false};
  return {nullptr, false};
}

constexpr std::array<std::string_view, 9> kEncounterStatuses = {
    "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown"};
constexpr std::array<std::string_view, 10> kAppointmentStatuses = {
    "proposed",  "pending", "booked",           "arrived",    "fulfilled",
    "cancelled", "noshow",  "entered-in-error", "checked-in", "waitlist"};

std::string listed(std::span<const std::string_view> values) {
  std::string out;
  for (std::string_view v : values) out += (out.empty() ? "" : ", ") + std::string(v);
  return out;
}

// A required code element: its value when it is one of `allowed`, else ""
// with a required or value issue.
std::string status_of(const Element& resource, std::span<const std::string_view> allowed) {
  std::string status = resource.text("status");
  std::string path = resource.path_of("status");
  if (status.empty()) {
    resource.issues().add(kRequired, path, path + " is missing (one of: " + listed(allowed) + ")");
    return {};
  }
  for (std::string_view a : allowed)
    if (status == a) return status;
  resource.issues().add(kValue, path, path + " must be one of: " + listed(allowed));
  return {};
}

// Whether an Appointment participant's actor is the patient (by reference or type) or a location.
bool actor_is(const Element& actor, std::string_view type) {
  std::string_view reference = actor.value()->string_or("reference", "");
  std::string prefix = std::string(type) + "/";
  return actor.value()->string_or("type", "") == type || reference.starts_with(prefix) ||
         reference.find("/" + prefix) != std::string_view::npos;
}

}  // namespace

// Event by class and status: planned -> appointment; arrived, triaged,
// in-progress, onleave -> admission (inpatient classes) or visit; finished ->
// discharge or visit; cancelled -> update with encounter.cancelled_event;
// unknown -> update; entered-in-error -> no record.
void map_encounter(const ResourceInput& in, MappedResource& out) {
  const Element& e = in.resource;
  const std::string& offset = in.options.default_utc_offset;
  std::string status = status_of(e, kEncounterStatuses);
  Element class_coding = e.object("class");
  EncounterClass kind = encounter_class(class_coding.text("code"));
  Element period = e.object("period");
  std::string started_at = timestamp(period, "start", FhirTimeType::date_time, offset);
  std::string ended_at = timestamp(period, "end", FhirTimeType::date_time, offset);
  const char* happened = kind.inpatient ? "admission" : "visit";
  if (status == "entered-in-error") {
    out.has_record = false;
    return;
  }
  if (status == "planned") {
    out.event_type = "appointment";
  } else if (status == "finished") {
    out.event_type = kind.inpatient ? "discharge" : "visit";
  } else if (status == "cancelled" || status == "unknown") {
    out.event_type = "update";
  } else {
    out.event_type = happened;
  }
  // When it happened: a discharge at the end; a cancellation when it was recorded.
  if (status == "finished" && kind.inpatient) out.occurred_at = ended_at;
  if (status == "cancelled" || status == "unknown") out.occurred_at = in.last_updated;
  if (out.occurred_at.empty()) out.occurred_at = started_at;

  if (kind.visit_type) out.encounter["visit_type"] = kind.visit_type;
  if (!started_at.empty()) out.encounter["started_at"] = started_at;
  if (!ended_at.empty()) out.encounter["ended_at"] = ended_at;
  std::string department = e.object("serviceProvider").text("display");
  if (department.empty()) {
    std::vector<Element> locations = e.objects("location");
    if (!locations.empty()) department = locations.front().object("location").text("display");
  }
  profile_mapping::put_text(out.encounter, "department", std::move(department), kMaxDepartmentChars);
  profile_mapping::put_text(out.encounter, "service_type", concept_of(e, "serviceType").label(), kMaxServiceTypeChars);
  if (status == "cancelled") out.encounter["cancelled_event"] = happened;
  out.encounter["source_system"] = in.options.source_system;
  add_referenced_patient(e, e.object("subject"), in.patients, out.subject, out.patient);
  out.subject.add_values(e, "identifier", "visit_number");
}

// Event appointment whatever the status (booked, changed and cancelled
// alike; encounter.appointment_status says which), except entered-in-error:
// no record. occurred_at is when the appointment was last changed (the
// event), the appointment's own time is encounter.started_at.
void map_appointment(const ResourceInput& in, MappedResource& out) {
  const Element& a = in.resource;
  const std::string& offset = in.options.default_utc_offset;
  std::string status = status_of(a, kAppointmentStatuses);
  std::string start = timestamp(a, "start", FhirTimeType::instant, offset);
  std::string end = timestamp(a, "end", FhirTimeType::instant, offset);
  std::string created = timestamp(a, "created", FhirTimeType::date_time, offset);
  if (status == "entered-in-error") {
    out.has_record = false;
    return;
  }
  out.event_type = "appointment";
  out.occurred_at = !in.last_updated.empty() ? in.last_updated : !created.empty() ? created : start;

  if (!start.empty()) out.encounter["started_at"] = start;
  if (!end.empty()) out.encounter["ended_at"] = end;
  if (!status.empty()) out.encounter["appointment_status"] = status;
  std::vector<Element> participants = a.objects("participant");
  const Element* patient_actor = nullptr;
  std::vector<Element> actors;
  actors.reserve(participants.size());
  for (const Element& p : participants) actors.push_back(p.object("actor"));
  for (const Element& actor : actors) {
    if (!actor.present()) continue;
    if (actor_is(actor, "Location") && !out.encounter.find("department"))
      profile_mapping::put_text(out.encounter, "department", actor.text("display"), kMaxDepartmentChars);
    if (!patient_actor &&
        (actor_is(actor, "Patient") || find_patient(a, in.patients, actor.value()->string_or("reference", ""))))
      patient_actor = &actor;
  }
  std::vector<Concept> services = concepts_of(a, "serviceType");
  if (!services.empty())
    profile_mapping::put_text(out.encounter, "service_type", services.front().label(), kMaxServiceTypeChars);
  out.encounter["source_system"] = in.options.source_system;
  if (std::string comment = a.text("comment"); !comment.empty()) {
    Value n = Value::object();
    n["kind"] = "comment";
    n["text"] = std::move(comment);
    out.notes.push_back(std::move(n));
  }
  if (patient_actor)
    add_referenced_patient(a, *patient_actor, in.patients, out.subject, out.patient);
  else
    a.issues().add(kRequired, a.path_of("participant"),
                   a.path_of("participant") +
                       " has no Patient: one participant's actor must reference a Patient in the same Bundle or "
                       "carry its identifier");
  out.subject.add_values(a, "identifier", "appointment_id");
}

}  // namespace medgate::emr_fhir
