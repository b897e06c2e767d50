#include "hl7_subject.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "hl7_datetime.h"

namespace medgate::his_hl7 {
namespace {

using sdk::Value;
using sdk::hl7::Position;

constexpr int kMinBirthYear = 1870, kMaxBirthYear = 2100;  // patient.birth_year in the input contract

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string joined(const std::set<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// XPN: family (FN.1) ^ given ^ further given names.
std::string person_name(const SegmentAt& s, std::size_t field, std::size_t repetition) {
  return profile_mapping::person_name(
      s.text(Position{field, repetition, 1, 1}),
      {s.text(Position{field, repetition, 2}), s.text(Position{field, repetition, 3})},
      profile_mapping::NameOrder::family_first);
}

// XAD: street (SAD.1) ^ other designation ^ city ^ state/province ^ zip ^ country.
std::string postal_address(const SegmentAt& s, std::size_t field, std::size_t repetition) {
  profile_mapping::AddressParts a;
  a.lines = {s.text(Position{field, repetition, 1, 1}), s.text(Position{field, repetition, 2})};
  a.city = s.text(Position{field, repetition, 3});
  a.state = s.text(Position{field, repetition, 4});
  a.postal_code = s.text(Position{field, repetition, 5});
  a.country = s.text(Position{field, repetition, 6});
  return profile_mapping::postal_address(a);
}

}  // namespace

const std::string* SubjectBuilder::member_for(const std::string& type, const std::string& authority) const {
  const auto& table = options_.identifier_types;
  if (!authority.empty())
    if (auto it = table.find(type + "@" + authority); it != table.end()) return &it->second;
  if (auto it = table.find(type); it != table.end()) return &it->second;
  return nullptr;
}

Result SubjectBuilder::add(const SegmentAt& s, std::size_t field, std::size_t repetition, std::string name, Kind kind,
                           std::string value) {
  if (characters(value) > kMaxIdentifierChars)
    return s.failure(
        kDataTypeError, field,
        s.name(field) + " holds a value longer than " + std::to_string(kMaxIdentifierChars) + " characters",
        repetition > 1 ? repetition : 0);
  members_.add(std::move(name), kind, std::move(value));
  return {};
}

Result SubjectBuilder::add_identifier_list(const SegmentAt& s, std::size_t field, std::string_view prefix) {
  std::size_t repetitions = s.segment->repetition_count(field);
  std::set<std::string> ignored_types;
  bool any_value = false, used = false;
  for (std::size_t r = 1; r <= repetitions; ++r) {
    std::string value = s.text(Position{field, r, 1});
    if (value.empty()) continue;
    any_value = true;
    std::string type = s.text(Position{field, r, 5});
    const std::string* member = member_for(type, s.text(Position{field, r, 4, 1}));
    if (!member) {
      ignored_types.insert(type.empty() ? "(none)" : shown_code(type));
      continue;
    }
    if (auto e = add(s, field, r, std::string(prefix) + *member, Kind::identifier, std::move(value)); !e.ok()) return e;
    used = true;
  }
  if (used) return {};
  std::set<std::string> accepted;
  for (const auto& [type, member] : options_.identifier_types) accepted.insert(type.empty() ? "(none)" : type);
  std::string message = s.name(field) + (any_value ? " has no identifier of an accepted type" : " has no identifier") +
                        " (CX.5 type codes accepted: " + joined(accepted) +
                        (ignored_types.empty() ? "" : "; found: " + joined(ignored_types)) + ")";
  return s.failure(kRequiredFieldMissing, field, std::move(message));
}

// XTN: an e-mail (component 3 "Internet" or component 2 "NET") from
// component 4; a phone from component 1, else 12, else 6 and 7. Fax numbers
// are not the patient's phone and are left out.
Result SubjectBuilder::add_contacts(const SegmentAt& pid, std::size_t field, std::string_view prefix) {
  std::size_t repetitions = pid.segment->repetition_count(field);
  for (std::size_t r = 1; r <= repetitions; ++r) {
    std::string use = pid.text(Position{field, r, 2});
    std::string equipment = pid.text(Position{field, r, 3});
    if (equals_ignoring_case(equipment, "Internet") || use == "NET") {
      std::string email = pid.text(Position{field, r, 4});
      if (email.find('@') == std::string::npos) email = pid.text(Position{field, r, 1});
      if (email.find('@') == std::string::npos) continue;
      if (auto e = add(pid, field, r, std::string(prefix) + "email", Kind::contact, std::move(email)); !e.ok())
        return e;
      continue;
    }
    if (equipment == "FX") continue;
    std::string number = pid.text(Position{field, r, 1});
    if (number.empty()) number = pid.text(Position{field, r, 12});
    if (number.empty()) {
      std::string local = pid.text(Position{field, r, 7});
      if (!local.empty()) number = pid.text(Position{field, r, 6}) + local;
    }
    if (number.empty()) continue;
    if (auto e = add(pid, field, r, std::string(prefix) + "phone", Kind::contact, std::move(number)); !e.ok())
      return e;
  }
  return {};
}

Result SubjectBuilder::add_patient(const SegmentAt& pid, Value& patient) {
  if (auto e = add_identifier_list(pid, 3, ""); !e.ok()) return e;

  // The first name (and address) with content is the member; further ones
  // (aliases, other addresses) go to name_others / address_others, which
  // policies drop unless a rule names them and the scrubber looks for in
  // free text.
  // PID-9 (patient alias) after them.
  for (std::size_t field : {5, 9})
    for (std::size_t r = 1; r <= pid.segment->repetition_count(field); ++r) {
      std::string name = person_name(pid, field, r);
      if (name.empty()) continue;
      if (auto e = add(pid, field, r, "name", Kind::identifier, std::move(name)); !e.ok()) return e;
    }

  if (std::string birth = pid.text(7); !birth.empty()) {
    Hl7DateTime t;
    std::string problem;
    if (!parse_hl7_datetime(birth, t, problem))
      return pid.failure(kDataTypeError, 7, "PID-7 (date/time of birth) is not a valid HL7 date/time: " + problem);
    if (t.date_digits == 8)
      members_.add("birth_date", Kind::single, to_date(t));
    else if (t.year >= kMinBirthYear && t.year <= kMaxBirthYear)
      patient["birth_year"] = t.year;  // only the year (or year and month) is known
  }

  if (std::string sex = pid.text(8); !sex.empty())
    patient["gender"] = sex == "M" ? "male" : sex == "F" ? "female" : "unknown";

  for (std::size_t r = 1; r <= pid.segment->repetition_count(11); ++r) {
    std::string address = postal_address(pid, 11, r);
    if (address.empty()) continue;
    members_.add("address", Kind::identifier, truncated(std::move(address), kMaxIdentifierChars));
  }

  if (auto e = add_contacts(pid, 13, ""); !e.ok()) return e;
  return add_contacts(pid, 14, "");
}

Result SubjectBuilder::add_next_of_kin(const SegmentAt& nk1) {
  for (std::size_t r = 1; r <= nk1.segment->repetition_count(2); ++r)
    if (std::string name = person_name(nk1, 2, r); !name.empty())
      if (auto e = add(nk1, 2, r, "kin_name", Kind::contact, std::move(name)); !e.ok()) return e;
  for (std::size_t r = 1; r <= nk1.segment->repetition_count(4); ++r)
    if (std::string address = postal_address(nk1, 4, r); !address.empty())
      members_.add("kin_address", Kind::contact, truncated(std::move(address), kMaxIdentifierChars));
  if (auto e = add_contacts(nk1, 5, "kin_"); !e.ok()) return e;
  return add_contacts(nk1, 6, "kin_");
}

Result SubjectBuilder::add_prior(const SegmentAt& mrg) {
  if (auto e = add_identifier_list(mrg, 1, "prior_"); !e.ok()) return e;
  return add_identifier(mrg, 5, "prior_visit_number");
}

Result SubjectBuilder::add_identifier(const SegmentAt& s, std::size_t field, std::string_view member) {
  std::string value = s.text(field);
  if (value.empty()) return {};
  return add(s, field, 0, std::string(member), Kind::identifier, std::move(value));
}

Value SubjectBuilder::take() {
  return members_.take();
}

}  // namespace medgate::his_hl7
