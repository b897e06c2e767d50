#include "fhir_elements.h"

namespace medgate::emr_fhir {

using sdk::Value;

void IssueList::add(const char* code, std::string expression, std::string diagnostics) {
  if (issues_.size() > kMaxIssues) return;
  for (const FhirIssue& i : issues_)  // an element read twice (a contained Patient looked up again)
    if (i.code == code && i.expression == expression && i.diagnostics == diagnostics) return;
  if (issues_.size() == kMaxIssues) {
    issues_.push_back({"too-costly", "", "more than " + std::to_string(kMaxIssues) + " issues; the rest not listed"});
    return;
  }
  issues_.push_back({code, std::move(expression), std::move(diagnostics)});
}

Element::Element(const Value* value, std::string path, IssueList& issues)
    : value_(value && value->is_object() ? value : nullptr), path_(std::move(path)), issues_(&issues) {}

std::string Element::path_of(std::string_view member) const {
  std::string p = path_;
  p += '.';
  p += member;
  return p;
}

const Value* Element::member(std::string_view name) const {
  const Value* v = value_ ? value_->find(name) : nullptr;
  return v && !v->is_null() ? v : nullptr;
}

bool Element::has(std::string_view name) const {
  return member(name) != nullptr;
}

void Element::wrong_type(std::string_view name, const char* expected, const Value& v) const {
  issues_->add(kStructure, path_of(name),
               path_of(name) + " must be " + expected + " in FHIR JSON, not " + sdk::type_name(v.type()));
}

Element Element::object(std::string_view name) const {
  const Value* v = member(name);
  if (v && !v->is_object()) {
    wrong_type(name, "an object", *v);
    v = nullptr;
  }
  return Element(v, path_of(name), *issues_);
}

std::vector<Element> Element::objects(std::string_view name) const {
  std::vector<Element> out;
  const Value* v = member(name);
  if (!v) return out;
  if (!v->is_array()) {
    wrong_type(name, "an array", *v);
    return out;
  }
  const Value::Array& items = v->as_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string path = path_of(name) + "[" + std::to_string(i) + "]";
    if (items[i].is_null()) continue;
    if (!items[i].is_object()) {
      issues_->add(kStructure, path, path + " must be an object in FHIR JSON, not " + sdk::type_name(items[i].type()));
      continue;
    }
    out.emplace_back(&items[i], std::move(path), *issues_);
  }
  return out;
}

std::string Element::text(std::string_view name) const {
  const Value* v = member(name);
  if (!v) return {};
  if (!v->is_string()) {
    wrong_type(name, "a string", *v);
    return {};
  }
  return v->as_string();
}

std::vector<std::string> Element::texts(std::string_view name) const {
  std::vector<std::string> out;
  const Value* v = member(name);
  if (!v) return out;
  if (!v->is_array()) {
    wrong_type(name, "an array of strings", *v);
    return out;
  }
  for (const Value& item : v->as_array()) {
    if (item.is_string()) {
      out.push_back(item.as_string());
    } else if (!item.is_null()) {
      wrong_type(name, "an array of strings", *v);
      return {};
    }
  }
  return out;
}

const Value* Element::number(std::string_view name) const {
  const Value* v = member(name);
  if (v && !v->is_number()) {
    wrong_type(name, "a number", *v);
    return nullptr;
  }
  return v;
}

std::optional<bool> Element::boolean(std::string_view name) const {
  const Value* v = member(name);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    wrong_type(name, "true or false", *v);
    return std::nullopt;
  }
  return v->as_bool();
}

std::string timestamp(const Element& parent, std::string_view member, FhirTimeType type,
                      std::string_view default_offset) {
  std::string text = parent.text(member);
  if (text.empty()) return {};
  profile_mapping::DateTimeParts t;
  std::string problem;
  if (!parse_fhir_datetime(text, type, t, problem)) {
    parent.issues().add(kValue, parent.path_of(member), parent.path_of(member) + " is not valid: " + problem);
    return {};
  }
  if (t.date_digits < 8) return {};  // a year, or a year and month: no point in time
  return profile_mapping::to_rfc3339(t, default_offset);
}

std::string first_timestamp(std::initializer_list<TimeCandidate> candidates, std::string_view default_offset) {
  for (const TimeCandidate& c : candidates)
    if (std::string at = timestamp(*c.parent, c.member, c.type, default_offset); !at.empty()) return at;
  return {};
}

const Coding* Concept::coding_of(std::string_view system) const {
  for (const Coding& c : codings)
    if (c.system == system) return &c;
  return nullptr;
}

std::string Concept::label() const {
  if (!text.empty()) return text;
  if (codings.empty()) return {};
  return codings.front().display.empty() ? codings.front().code : codings.front().display;
}

Concept concept_of(const Element& codeable) {
  Concept out;
  out.text = codeable.text("text");
  for (const Element& c : codeable.objects("coding")) {
    Coding coding{c.text("system"), c.text("code"), c.text("display"), c.path()};
    if (!coding.code.empty() || !coding.display.empty()) out.codings.push_back(std::move(coding));
  }
  return out;
}

Concept concept_of(const Element& parent, std::string_view member) {
  return concept_of(parent.object(member));
}

std::vector<Concept> concepts_of(const Element& parent, std::string_view member) {
  std::vector<Concept> out;
  for (const Element& c : parent.objects(member)) out.push_back(concept_of(c));
  return out;
}

void add_notes(const Element& parent, std::string_view member, const char* kind, std::string_view default_offset,
               Value::Array& notes) {
  for (const Element& a : parent.objects(member)) {
    std::string text = a.text("text");
    std::string written_at = timestamp(a, "time", FhirTimeType::date_time, default_offset);
    if (text.empty()) continue;
    Value n = Value::object();
    n["kind"] = kind;
    n["text"] = std::move(text);
    if (!written_at.empty()) n["written_at"] = std::move(written_at);
    notes.push_back(std::move(n));
  }
}

std::string shown_type(std::string_view type) {
  bool plain = !type.empty() && type.size() <= 64 && type[0] >= 'A' && type[0] <= 'Z';
  for (char c : type) plain = plain && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
  return plain ? std::string(type) : "(not shown)";
}

bool is_fhir_id(std::string_view id, std::size_t max) {
  if (id.empty() || id.size() > max) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
      return false;
  return true;
}

}  // namespace medgate::emr_fhir
