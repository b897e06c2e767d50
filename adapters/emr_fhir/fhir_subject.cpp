#include "fhir_subject.h"

#include "fhir_datetime.h"
#include "profile_text.h"

namespace medgate::emr_fhir {
namespace {

using profile_mapping::kMaxIdentifierChars;
using sdk::Value;

constexpr int kMinBirthYear = 1870, kMaxBirthYear = 2100;  // patient.birth_year in the input contract

std::string accepted_keys(const FhirMappingOptions& options) {
  std::string out;
  for (const auto& [key, member] : options.identifier_systems) out += (out.empty() ? "" : ", ") + key;
  return out;
}

// HumanName.use / ContactPoint.use / Address.use "old": no longer in use.
bool is_old(const Element& e) {
  return e.text("use") == "old";
}

// HumanName.text, else family and given names.
std::string person_name(const Element& name) {
  if (std::string text = name.text("text"); !text.empty()) return text;
  return profile_mapping::person_name(name.text("family"), name.texts("given"),
                                      profile_mapping::NameOrder::given_first);
}

std::string postal_address(const Element& address) {
  if (std::string text = address.text("text"); !text.empty()) return text;
  profile_mapping::AddressParts a;
  a.lines = address.texts("line");
  a.city = address.text("city");
  a.district = address.text("district");
  a.state = address.text("state");
  a.postal_code = address.text("postalCode");
  a.country = address.text("country");
  return profile_mapping::postal_address(a);
}

}  // namespace

const std::string* SubjectBuilder::member_for(const Element& identifier) const {
  const auto& table = options_->identifier_systems;
  if (std::string system = identifier.text("system"); !system.empty())
    if (auto it = table.find(system); it != table.end()) return &it->second;
  for (const Coding& c : concept_of(identifier, "type").codings)
    if (auto it = table.find(c.system + "|" + c.code); !c.code.empty() && it != table.end()) return &it->second;
  return nullptr;
}

bool SubjectBuilder::add(const Element& at, std::string_view member, std::string name, Kind kind, std::string value) {
  if (profile_mapping::characters(value) > kMaxIdentifierChars) {
    at.issues().add(kValue, at.path_of(member),
                    at.path_of(member) + " is longer than " + std::to_string(kMaxIdentifierChars) + " characters");
    return false;
  }
  members_.add(std::move(name), kind, std::move(value));
  return true;
}

SubjectBuilder::Outcome SubjectBuilder::add_identifier_of(const Element& identifier, std::string_view prefix) {
  std::string value = identifier.text("value");
  if (value.empty() || is_old(identifier)) return Outcome::unused;
  const std::string* member = member_for(identifier);
  if (!member) return Outcome::not_accepted;
  bool added = add(identifier, "value", std::string(prefix) + *member, Kind::identifier, std::move(value));
  return added ? Outcome::added : Outcome::refused;
}

bool SubjectBuilder::add_identifier(const Element& identifier, std::string_view prefix) {
  return add_identifier_of(identifier, prefix) == Outcome::added;
}

void SubjectBuilder::add_patient_identifiers(const Element& patient, std::string_view prefix) {
  std::size_t accepted = 0, others = 0, refused = 0;
  for (const Element& id : patient.objects("identifier")) {
    switch (add_identifier_of(id, prefix)) {
      case Outcome::added:
        ++accepted;
        break;
      case Outcome::not_accepted:
        ++others;
        break;
      case Outcome::refused:
        ++refused;
        break;
      case Outcome::unused:
        break;
    }
  }
  if (accepted > 0 || refused > 0) return;  // a refused one has its own issue
  std::string path = patient.path_of("identifier");
  std::string message = path + (others ? " has no identifier of an accepted system" : " has no identifier") +
                        " (accepted: " + accepted_keys(*options_) + ")";
  if (others) message += "; " + std::to_string(others) + " of other systems ignored";
  patient.issues().add(kRequired, path, std::move(message));
}

// The first "official" HumanName, else the first that is not "old", is the
// name; the others (aliases, former names) go to name_others, for the
// scrubber to find in free text (policies drop them unless a rule names them).
void SubjectBuilder::add_name(const Element& patient) {
  std::vector<Element> names = patient.objects("name");
  const Element* chosen = nullptr;
  std::string name;
  for (const Element& n : names) {
    std::string use = n.text("use"), text = person_name(n);
    if (text.empty() || use == "old" || (chosen && use != "official")) continue;
    chosen = &n;
    name = std::move(text);
    if (use == "official") break;
  }
  if (!chosen) return;
  add(*chosen, "text", "name", Kind::identifier, std::move(name));
  for (const Element& n : names)
    if (&n != chosen)
      if (std::string other = person_name(n); !other.empty()) add(n, "text", "name", Kind::identifier, std::move(other));
}

// ContactPoint system phone or sms -> <prefix>phone, email -> <prefix>email
// (several: a list); fax, pager, url and other are not the person's phone.
void SubjectBuilder::add_telecom(const Element& person, std::string_view prefix) {
  for (const Element& t : person.objects("telecom")) {
    std::string system = t.text("system"), value = t.text("value");
    if (value.empty() || is_old(t)) continue;
    if (system == "phone" || system == "sms")
      add(t, "value", std::string(prefix) + "phone", Kind::contact, std::move(value));
    else if (system == "email")
      add(t, "value", std::string(prefix) + "email", Kind::contact, std::move(value));
  }
}

// Patient.contact (next of kin, guardian, emergency contact): another person
// than the patient. Name, telecom and address go to kin_* members, which no
// token or identity reads: only the scrubber, to find them in free text.
void SubjectBuilder::add_contacts(const Element& patient) {
  for (const Element& c : patient.objects("contact")) {
    if (Element name = c.object("name"); name.present())
      if (std::string text = person_name(name); !text.empty()) add(name, "text", "kin_name", Kind::contact, std::move(text));
    add_telecom(c, "kin_");
    if (Element address = c.object("address"); address.present())
      if (std::string text = postal_address(address); !text.empty())
        members_.add("kin_address", Kind::contact, profile_mapping::truncated(std::move(text), kMaxIdentifierChars));
  }
}

// The first current address is the address; the others (old ones too) go to
// address_others, like further names.
void SubjectBuilder::add_address(const Element& patient) {
  std::vector<Element> addresses = patient.objects("address");
  std::vector<std::string> current, old;
  for (const Element& a : addresses)
    if (std::string address = postal_address(a); !address.empty())
      (is_old(a) ? old : current).push_back(profile_mapping::truncated(std::move(address), kMaxIdentifierChars));
  if (current.empty()) return;
  for (auto* list : {&current, &old})
    for (std::string& address : *list) members_.add("address", Kind::identifier, std::move(address));
}

void SubjectBuilder::add_demographics(const Element& patient, Value& patient_facet) {
  add_name(patient);
  add_telecom(patient, "");
  if (std::string birth = patient.text("birthDate"); !birth.empty()) {
    profile_mapping::DateTimeParts t;
    std::string problem;
    if (!parse_fhir_datetime(birth, FhirTimeType::date, t, problem))
      patient.issues().add(kValue, patient.path_of("birthDate"),
                           patient.path_of("birthDate") + " is not valid: " + problem);
    else if (t.date_digits == 8)
      members_.add("birth_date", Kind::single, profile_mapping::to_date(t));
    else if (t.year >= kMinBirthYear && t.year <= kMaxBirthYear)
      patient_facet["birth_year"] = t.year;  // only the year (or year and month) is known
  }
  if (std::string gender = patient.text("gender"); !gender.empty()) {
    if (gender == "male" || gender == "female")
      patient_facet["gender"] = gender;
    else if (gender == "other" || gender == "unknown")
      patient_facet["gender"] = "unknown";
    else
      patient.issues().add(kValue, patient.path_of("gender"),
                           patient.path_of("gender") + " must be one of male, female, other, unknown");
  }
  add_address(patient);
  add_contacts(patient);
}

void SubjectBuilder::add_values(const Element& owner, std::string_view member, const std::string& name) {
  for (const Element& id : owner.objects(member)) {
    std::string value = id.text("value");
    if (!value.empty() && !is_old(id)) add(id, "value", name, Kind::identifier, std::move(value));
  }
}

const Value* find_patient(const Element& resource, const PatientIndex& patients, std::string_view reference) {
  if (reference.empty()) return nullptr;
  if (reference.front() == '#') {
    for (const Element& c : resource.objects("contained"))
      if (c.value()->string_or("resourceType", "") == "Patient" &&
          c.value()->string_or("id", "") == reference.substr(1))
        return c.value();
    return nullptr;
  }
  auto& index = patients.by_reference;
  if (auto it = index.find(std::string(reference)); it != index.end()) return &it->second;
  // "http://host/fhir/Patient/123/_history/2" -> "Patient/123".
  std::string_view r = reference;
  if (std::size_t h = r.find("/_history/"); h != std::string_view::npos) r = r.substr(0, h);
  std::size_t at = r.rfind("Patient/");
  if (at == std::string_view::npos || (at > 0 && r[at - 1] != '/')) return nullptr;
  std::string_view id = r.substr(at + 8);
  if (!is_fhir_id(id, 256)) return nullptr;
  if (auto it = index.find("Patient/" + std::string(id)); it != index.end()) return &it->second;
  return nullptr;
}

bool add_referenced_patient(const Element& resource, const Element& reference, const PatientIndex& patients,
                            SubjectBuilder& subject, Value& patient_facet) {
  IssueList& issues = reference.issues();
  if (const Value* p = find_patient(resource, patients, reference.text("reference"))) {
    // The Patient's own problems are reported with the Patient (its entry);
    // here only whether it gives a subject counts.
    IssueList own;
    Element patient(p, "Patient", own);
    SubjectBuilder from_patient = subject;
    Value facet = patient_facet;
    from_patient.add_patient_identifiers(patient, "");
    from_patient.add_demographics(patient, facet);
    if (own.empty()) {
      subject = std::move(from_patient);
      patient_facet = std::move(facet);
      return true;
    }
  }
  if (Element id = reference.object("identifier"); id.present() && subject.add_identifier(id, "")) return true;
  if (!reference.present())
    issues.add(kRequired, reference.path(),
               reference.path() +
                   " is missing: the record needs the Patient (a reference to a Patient in the same "
                   "Bundle, or an identifier)");
  else
    issues.add(kRequired, reference.path(),
               reference.path() +
                   " must reference a Patient in the same Bundle (by its fullUrl or Patient/<id>) "
                   "that has an identifier of an accepted system, or carry such an identifier itself");
  return false;
}

}  // namespace medgate::emr_fhir
