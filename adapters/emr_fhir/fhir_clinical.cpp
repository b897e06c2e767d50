// Condition, Procedure, Observation and MedicationRequest -> items of the
// profile's array facets. A resource is one item (an Observation with
// components one per component as well): without the code the item needs it
// is refused rather than sent empty. Texts over a schema limit are cut to
// it; long result strings become notes, which the gateway scrubs.
#include <charconv>
#include <cmath>

#include "fhir_resources.h"
#include "profile_codes.h"
#include "profile_text.h"

namespace medgate::emr_fhir {
namespace {

using profile_mapping::characters;
using profile_mapping::put_text;
using sdk::Value;

// Limits of the input contract (gateway/pipeline/record_normalizer.cpp).
constexpr std::size_t kMaxDescription = 256, kMaxProcedureCode = 32, kMaxProcedureSystem = 32;
constexpr std::size_t kMaxObservationCode = 64, kMaxObservationSystem = 64, kMaxObservationValue = 256;
constexpr std::size_t kMaxUnit = 32, kMaxReferenceRange = 64;
constexpr std::size_t kMaxMedicationCode = 64;  // encounter is open; kept to the observation code's size

std::string number_text(const Value& v) {
  if (v.is_int()) return std::to_string(v.as_int());
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.as_double());
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

Value note(const char* kind, std::string text, const std::string& written_at) {
  Value n = Value::object();
  n["kind"] = kind;
  n["text"] = std::move(text);
  if (!written_at.empty()) n["written_at"] = written_at;
  return n;
}

// The first coding of `codes` with a code -> item code, system and
// `text_member` (the coding's display, else the concept's text). False, with
// an issue, when there is none or its code is over `max_code` characters.
bool put_code(const Element& owner, std::string_view member, const Concept& codes, std::size_t max_code,
              std::size_t max_system, const char* text_member, Value& item) {
  const Coding* coding = nullptr;
  for (const Coding& c : codes.codings)
    if (!c.code.empty()) {
      coding = &c;
      break;
    }
  std::string path = owner.path_of(member);
  if (!coding) {
    owner.issues().add(kRequired, path + ".coding", path + " needs a coding with a code");
    return false;
  }
  if (characters(coding->code) > max_code) {
    owner.issues().add(kValue, coding->path + ".code",
                       coding->path + ".code is longer than the profile's " + std::to_string(max_code) + " characters");
    return false;
  }
  item["code"] = coding->code;
  if (std::string system = system_name(coding->system, max_system); !system.empty()) item["system"] = system;
  put_text(item, text_member, coding->display, kMaxDescription, codes.text);
  return true;
}

// A status code that says the resource records nothing that happened.
bool is_void(const std::string& status, std::initializer_list<std::string_view> void_statuses) {
  for (std::string_view v : void_statuses)
    if (status == v) return true;
  return false;
}

// ---- Observation --------------------------------------------------------------

// Range low-high as "3.9-6.1", ">=3.9" or "<=6.1"; "" when neither has a value.
std::string range_text(const Element& range) {
  const Value* low = range.object("low").number("value");
  const Value* high = range.object("high").number("value");
  if (low && high) return number_text(*low) + "-" + number_text(*high);
  if (low) return ">=" + number_text(*low);
  if (high) return "<=" + number_text(*high);
  return {};
}

struct ObservationValue {
  Value value;  // null: none
  std::string unit;
  std::string text;  // for a note of kind result_text
};

// value[x] of an Observation or of one of its components.
ObservationValue observation_value(const Element& o) {
  ObservationValue out;
  if (o.has("valueQuantity")) {
    Element q = o.object("valueQuantity");
    const Value* number = q.number("value");
    std::string comparator = q.text("comparator");
    out.unit = q.text("unit");
    if (out.unit.empty()) out.unit = q.text("code");
    if (number) out.value = comparator.empty() ? *number : Value(comparator + number_text(*number));
  } else if (o.has("valueCodeableConcept")) {
    if (std::string label = concept_of(o, "valueCodeableConcept").label(); !label.empty()) out.value = std::move(label);
  } else if (o.has("valueBoolean")) {
    if (auto b = o.boolean("valueBoolean")) out.value = *b;
  } else if (o.has("valueInteger")) {
    if (const Value* n = o.number("valueInteger")) out.value = *n;
  } else if (o.has("valueRange")) {
    Element range = o.object("valueRange");
    if (std::string text = range_text(range); !text.empty()) out.value = std::move(text);
    out.unit = range.object("low").text("unit");
  } else if (o.has("valueRatio")) {
    Element ratio = o.object("valueRatio");
    const Value* n = ratio.object("numerator").number("value");
    const Value* d = ratio.object("denominator").number("value");
    if (n && d) out.value = number_text(*n) + ":" + number_text(*d);
  } else {
    for (const char* member : {"valueString", "valueTime", "valueDateTime"}) {
      if (!o.has(member)) continue;
      std::string text = o.text(member);
      if (characters(text) > kMaxObservationValue)
        out.text = std::move(text);
      else if (!text.empty())
        out.value = std::move(text);
      break;
    }
  }
  return out;
}

// One observation item from an Observation or a component: code, value,
// unit, interpretation, first reference range, observed_at.
bool observation_item(const Element& o, const std::string& observed_at, Value& item, Value::Array& notes) {
  item = Value::object();
  Concept code = concept_of(o, "code");
  if (!put_code(o, "code", code, kMaxObservationCode, kMaxObservationSystem, "display", item)) return false;
  ObservationValue value = observation_value(o);
  if (!value.value.is_null()) item["value"] = std::move(value.value);
  if (!value.unit.empty() && characters(value.unit) <= kMaxUnit) item["unit"] = std::move(value.unit);
  std::vector<Element> ranges = o.objects("referenceRange");
  if (!ranges.empty()) {
    std::string text = ranges.front().text("text");
    put_text(item, "reference_range", text.empty() ? range_text(ranges.front()) : text, kMaxReferenceRange);
  }
  for (const Concept& c : concepts_of(o, "interpretation")) {
    for (const Coding& coding : c.codings)
      if (const char* flag = profile_mapping::interpretation(coding.code); flag && !item.find("interpretation"))
        item["interpretation"] = flag;
  }
  if (!observed_at.empty()) item["observed_at"] = observed_at;
  if (!value.text.empty()) notes.push_back(note("result_text", std::move(value.text), observed_at));
  return true;
}

}  // namespace

std::string system_name(const std::string& uri, std::size_t max_chars) {
  if (uri == "http://loinc.org") return "LOINC";
  if (uri == "http://snomed.info/sct") return "SNOMED CT";
  if (uri == "http://hl7.org/fhir/sid/icd-9-cm") return "ICD-9-CM";
  if (uri == "http://hl7.org/fhir/sid/icd-10" || uri == "http://hl7.org/fhir/sid/icd-10-cm") return "ICD-10";
  if (uri == "http://www.nlm.nih.gov/research/umls/rxnorm") return "RxNorm";
  if (uri == "http://www.whocc.no/atc") return "ATC";
  return characters(uri) <= max_chars ? uri : std::string();
}

// ICD-10 codings only (icd10_systems); no such coding: refused (code value),
// since a diagnosis without its code says nothing the profile can count.
// verificationStatus refuted or entered-in-error: no record.
void map_condition(const ResourceInput& in, MappedResource& out) {
  const Element& c = in.resource;
  const std::string& offset = in.options.default_utc_offset;
  Concept verification = concept_of(c, "verificationStatus");
  for (const Coding& v : verification.codings)
    if (v.code == "refuted" || v.code == "entered-in-error") {
      out.has_record = false;
      return;
    }
  out.event_type = "update";
  std::string recorded = timestamp(c, "recordedDate", FhirTimeType::date_time, offset);
  std::string onset = timestamp(c, "onsetDateTime", FhirTimeType::date_time, offset);
  out.occurred_at = !recorded.empty() ? recorded : onset;

  std::string path = c.path_of("code");
  Concept code = concept_of(c, "code");
  const Coding* icd10 = nullptr;
  std::optional<std::string> normalized;
  bool icd10_system = false;
  for (const Coding& coding : code.codings) {
    if (!in.options.icd10_systems.contains(coding.system)) continue;
    icd10_system = true;
    if ((normalized = profile_mapping::icd10_code(coding.code))) {
      icd10 = &coding;
      break;
    }
  }
  if (icd10) {
    Value d = Value::object();
    d["code"] = std::move(*normalized);
    d["system"] = "ICD-10";
    put_text(d, "description", icd10->display, kMaxDescription, code.text);
    if (!out.occurred_at.empty()) d["diagnosed_at"] = out.occurred_at;
    out.diagnoses.push_back(std::move(d));
  } else if (!c.has("code")) {
    c.issues().add(kRequired, path, path + " is missing: a diagnosis needs its ICD-10 code");
  } else if (icd10_system) {
    c.issues().add(kValue, path + ".coding",
                   path + ".coding of an ICD-10 system has no code of ICD-10 shape (A00, A00.0, E11.900x001)");
  } else {
    c.issues().add(kValue, path + ".coding",
                   path + " has no coding of an ICD-10 system (see the option icd10_systems)");
  }
  add_notes(c, "note", "comment", offset, out.notes);
  add_referenced_patient(c, c.object("subject"), in.patients, out.subject, out.patient);
}

// status not-done or entered-in-error: no record.
void map_procedure(const ResourceInput& in, MappedResource& out) {
  const Element& p = in.resource;
  const std::string& offset = in.options.default_utc_offset;
  if (is_void(p.text("status"), {"not-done", "entered-in-error"})) {
    out.has_record = false;
    return;
  }
  out.event_type = "update";
  out.occurred_at = timestamp(p, "performedDateTime", FhirTimeType::date_time, offset);
  if (out.occurred_at.empty())
    out.occurred_at = timestamp(p.object("performedPeriod"), "start", FhirTimeType::date_time, offset);
  Value item = Value::object();
  if (put_code(p, "code", concept_of(p, "code"), kMaxProcedureCode, kMaxProcedureSystem, "description", item)) {
    if (!out.occurred_at.empty()) item["performed_at"] = out.occurred_at;
    out.procedures.push_back(std::move(item));
  }
  add_notes(p, "note", "comment", offset, out.notes);
  add_referenced_patient(p, p.object("subject"), in.patients, out.subject, out.patient);
}

// status cancelled or entered-in-error: no record. Components (blood
// pressure's systolic and diastolic) are items of their own after the
// Observation's.
void map_observation(const ResourceInput& in, MappedResource& out) {
  const Element& o = in.resource;
  const std::string& offset = in.options.default_utc_offset;
  if (is_void(o.text("status"), {"cancelled", "entered-in-error"})) {
    out.has_record = false;
    return;
  }
  out.event_type = "result";
  std::string observed_at =
      first_timestamp({{&o, "effectiveDateTime"}, {&o, "effectiveInstant", FhirTimeType::instant}}, offset);
  if (observed_at.empty())
    observed_at = timestamp(o.object("effectivePeriod"), "start", FhirTimeType::date_time, offset);
  std::string issued = timestamp(o, "issued", FhirTimeType::instant, offset);
  out.occurred_at = !observed_at.empty() ? observed_at : issued;
  Value item;
  if (observation_item(o, observed_at, item, out.notes)) out.observations.push_back(std::move(item));
  for (const Element& component : o.objects("component"))
    if (observation_item(component, observed_at, item, out.notes)) out.observations.push_back(std::move(item));
  add_notes(o, "note", "result_comment", offset, out.notes);
  add_referenced_patient(o, o.object("subject"), in.patients, out.subject, out.patient);
}

// The profile has no medication facet: the medication goes to the open
// encounter facet as encounter.medication {code, system, display, status};
// dosage instructions are notes (scrubbed). status entered-in-error: no record.
void map_medication_request(const ResourceInput& in, MappedResource& out) {
  const Element& m = in.resource;
  const std::string& offset = in.options.default_utc_offset;
  std::string status = m.text("status");
  if (status == "entered-in-error") {
    out.has_record = false;
    return;
  }
  out.event_type = "update";
  out.occurred_at = timestamp(m, "authoredOn", FhirTimeType::date_time, offset);
  Concept medication = concept_of(m, "medicationCodeableConcept");
  if (medication.empty() && m.has("medicationReference")) {
    Element reference = m.object("medicationReference");
    std::string target = reference.text("reference");
    for (const Element& c : m.objects("contained"))
      if (target.size() > 1 && target[0] == '#' && c.value()->string_or("resourceType", "") == "Medication" &&
          c.value()->string_or("id", "") == std::string_view(target).substr(1))
        medication = concept_of(c, "code");
    if (medication.empty()) medication.text = reference.text("display");
  }
  if (medication.empty()) {
    std::string path = m.path_of("medicationCodeableConcept");
    m.issues().add(kRequired, path,
                   path + " is missing (or medicationReference with a display or a contained Medication's code)");
  }
  Value drug = Value::object();
  const Coding* coding = nullptr;
  for (const Coding& c : medication.codings)
    if (!c.code.empty() && characters(c.code) <= kMaxMedicationCode) {
      coding = &c;
      break;
    }
  if (coding) {
    drug["code"] = coding->code;
    if (std::string system = system_name(coding->system, kMaxObservationSystem); !system.empty())
      drug["system"] = system;
  }
  put_text(drug, "display", coding ? coding->display : std::string(), kMaxDescription, medication.label());
  if (!status.empty()) drug["status"] = status;
  if (!medication.empty()) out.encounter["medication"] = std::move(drug);
  out.encounter["source_system"] = in.options.source_system;
  for (const Element& dosage : m.objects("dosageInstruction"))
    if (std::string text = dosage.text("text"); !text.empty())
      out.notes.push_back(note("dosage_instruction", std::move(text), out.occurred_at));
  add_notes(m, "note", "comment", offset, out.notes);
  add_referenced_patient(m, m.object("subject"), in.patients, out.subject, out.patient);
}

}  // namespace medgate::emr_fhir
