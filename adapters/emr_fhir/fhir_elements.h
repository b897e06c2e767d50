// Reading a resource for the mapper: an element together with its FHIRPath,
// so that a value of the wrong JSON type or form becomes an issue that points
// at it, plus the FHIR data types the resource mappers share (CodeableConcept,
// Reference, Annotation, date-times).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir_datetime.h"
#include "fhir_profile_mapper.h"
#include "medgate/sdk/value.h"

namespace medgate::emr_fhir {

// FHIR issue-type codes (http://hl7.org/fhir/issue-type) the mapper uses.
inline constexpr const char* kStructure = "structure";  // wrong JSON type: not what FHIR JSON allows there
inline constexpr const char* kRequired = "required";    // a needed element is missing
inline constexpr const char* kValue = "value";          // an element's value is not valid or not usable
inline constexpr const char* kNotSupported = "not-supported";

// The issues of one resource, in the order found, each once. Capped, so
// that a huge broken resource gives a readable outcome.
class IssueList {
 public:
  static constexpr std::size_t kMaxIssues = 20;

  void add(const char* code, std::string expression, std::string diagnostics);
  bool empty() const { return issues_.empty(); }
  std::vector<FhirIssue> take() { return std::move(issues_); }

 private:
  std::vector<FhirIssue> issues_;
};

// An element of a resource: a JSON object (or nothing) with its FHIRPath
// ("Encounter.period"). Readers of its members report a member of the wrong
// JSON type once, where it is read, and then treat it as absent.
class Element {
 public:
  Element(const sdk::Value* value, std::string path, IssueList& issues);

  bool present() const { return value_ != nullptr; }
  const sdk::Value* value() const { return value_; }
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view member) const;
  IssueList& issues() const { return *issues_; }
  // Whether the member is there (and not null), whatever its type.
  bool has(std::string_view member) const;

  // A complex member: absent when missing, a structure issue when not an object.
  Element object(std::string_view member) const;
  // A repeating complex member: its object items, "member[i]"; a structure
  // issue for a member that is not an array and for items that are not objects.
  std::vector<Element> objects(std::string_view member) const;
  // A primitive member FHIR JSON writes as a string (string, code, id, uri,
  // date, dateTime, ...): "" when missing or empty; a structure issue when not a string.
  std::string text(std::string_view member) const;
  // A repeating string member (HumanName.given, Address.line).
  std::vector<std::string> texts(std::string_view member) const;
  // A number member (decimal, integer): nullptr when missing; a structure issue when not a number.
  const sdk::Value* number(std::string_view member) const;
  // A boolean member.
  std::optional<bool> boolean(std::string_view member) const;

 private:
  const sdk::Value* member(std::string_view name) const;
  void wrong_type(std::string_view member, const char* expected, const sdk::Value& v) const;

  const sdk::Value* value_;
  std::string path_;
  IssueList* issues_;
};

// A date/dateTime/instant member as RFC 3339 ("" when missing); a value issue
// when it is not one. A dateTime of a year or a year and month only (valid
// FHIR, too vague for a timestamp) gives "" too.
std::string timestamp(const Element& parent, std::string_view member, FhirTimeType type,
                      std::string_view default_offset);
// The first non-empty timestamp among `candidates` ({element, member, type}).
struct TimeCandidate {
  const Element* parent;
  std::string_view member;
  FhirTimeType type = FhirTimeType::date_time;
};
std::string first_timestamp(std::initializer_list<TimeCandidate> candidates, std::string_view default_offset);

struct Coding {
  std::string system, code, display;
  std::string path;  // "Condition.code.coding[0]"
};

// CodeableConcept: its codings (with a code or a display) and text.
struct Concept {
  std::vector<Coding> codings;
  std::string text;

  bool empty() const { return codings.empty() && text.empty(); }
  // The first coding whose system is `system`, or nullptr.
  const Coding* coding_of(std::string_view system) const;
  // text, else the first coding's display, else its code.
  std::string label() const;
};
Concept concept_of(const Element& parent, std::string_view member);
Concept concept_of(const Element& codeable);
// A repeating CodeableConcept member (Observation.interpretation, R4's
// Appointment.serviceType): the concepts in order.
std::vector<Concept> concepts_of(const Element& parent, std::string_view member);

// Annotation items of a repeating member (Observation.note) -> notes of `kind`:
// text, written_at from Annotation.time.
void add_notes(const Element& parent, std::string_view member, const char* kind, std::string_view default_offset,
               sdk::Value::Array& notes);

// "Encounter" or "Patient": a resourceType as a message may show it (sender
// data, so only when it looks like one); else "(not shown)".
std::string shown_type(std::string_view type);
// A FHIR id: 1 to 64 of A-Z a-z 0-9 - . (FHIR R4 "id"); `max` lifts the length limit.
bool is_fhir_id(std::string_view id, std::size_t max = 64);

}  // namespace medgate::emr_fhir
