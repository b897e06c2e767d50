#include "line_mapper.h"

#include <array>

#include "medgate/sdk/json.h"

namespace medgate::file_adapter {
namespace {

using sdk::Value;

MapResult error(std::string reason) {
  MapResult r;
  r.kind = MapResult::Kind::error;
  r.reason = std::move(reason);
  return r;
}

bool is_blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\v') return false;
  return true;
}

bool is_flat(const Value& v) {
  return v.find("record_id") && (v.find("name") || v.find("mrn") || v.find("id_number"));
}

// Reads the flat fields one by one, remembering the first problem. A null
// field counts as absent, as exporters often write one for "no value".
class FlatFields {
 public:
  explicit FlatFields(Value& flat) : flat_(flat) {}

  Value* string(std::string_view key, bool required = false) {
    return typed(key, required, &Value::is_string, "a string");
  }
  Value* number(std::string_view key) { return typed(key, false, &Value::is_number, "a number"); }
  const std::string& problem() const { return problem_; }

 private:
  Value* typed(std::string_view key, bool required, bool (Value::*check)() const noexcept, const char* what) {
    Value* v = flat_.find(key);
    if (v && v->is_null()) v = nullptr;
    if (!problem_.empty()) return nullptr;
    if (!v) {
      if (required) problem_ = "flat record: missing required field '" + std::string(key) + "'";
      return nullptr;
    }
    if (!(v->*check)()) {
      problem_ = "flat record: field '" + std::string(key) + "' must be " + what + ", not " + sdk::type_name(v->type());
      return nullptr;
    }
    return v;
  }

  Value& flat_;
  std::string problem_;
};

// A one-element array, moving `v` in (a braced Value::Array{...} would copy it
// out of its initializer_list).
Value array_of(Value v) {
  Value::Array a;
  a.reserve(1);
  a.push_back(std::move(v));
  return Value(std::move(a));
}

const char* gender_code(const std::string& g) {
  if (g == "M") return "male";
  if (g == "F") return "female";
  return "unknown";
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "auto") return Format::detect;
  if (name == "profile") return Format::profile;
  if (name == "flat") return Format::flat;
  return std::nullopt;
}

MapResult map_flat(Value flat) {
  if (!flat.is_object()) return error(std::string("not a JSON object (") + sdk::type_name(flat.type()) + ")");
  FlatFields f(flat);
  // Fields are moved out of `flat` (its own copy) into the profile record.
  Value* record_id = f.string("record_id", true);
  Value* visit_time = f.string("visit_time", true);
  Value* source = f.string("source");
  Value* gender = f.string("gender");
  Value* department = f.string("department");
  Value* diagnosis = f.string("diagnosis_icd10");
  Value* charge = f.number("charge_cny");
  Value* note = f.string("note");
  // subject member name <- flat field name
  static constexpr std::array<std::pair<const char*, const char*>, 6> kSubject{{
      {"mrn", "mrn"},
      {"name", "name"},
      {"birth_date", "birth_date"},
      {"resident_id", "id_number"},
      {"phone", "phone"},
      {"address", "address"},
  }};
  std::array<Value*, kSubject.size()> subject_fields{};
  for (std::size_t i = 0; i < kSubject.size(); ++i) subject_fields[i] = f.string(kSubject[i].second);
  if (!f.problem().empty()) return error(f.problem());

  // Every object below is new and its keys distinct: members are appended
  // into reserved vectors, without the look-up operator[] would make.
  Value::Object out;
  out.reserve(10);
  out.emplace_back("source_record_id", std::move(*record_id));
  out.emplace_back("event_type", "visit");
  out.emplace_back("occurred_at", *visit_time);
  Value::Object subject;
  subject.reserve(kSubject.size());
  for (std::size_t i = 0; i < kSubject.size(); ++i)
    if (subject_fields[i]) subject.emplace_back(kSubject[i].first, std::move(*subject_fields[i]));
  if (!subject.empty()) out.emplace_back("subject", std::move(subject));
  if (gender) out.emplace_back("patient", Value::Object{{"gender", gender_code(gender->as_string())}});

  Value::Object encounter;
  encounter.reserve(4);
  if (department) encounter.emplace_back("department", std::move(*department));
  encounter.emplace_back("visit_type", "outpatient");
  encounter.emplace_back("started_at", *visit_time);
  if (source) encounter.emplace_back("source_system", std::move(*source));
  out.emplace_back("encounter", std::move(encounter));

  if (diagnosis) {
    Value::Object d;
    d.reserve(3);
    d.emplace_back("code", std::move(*diagnosis));
    d.emplace_back("system", "ICD-10");
    d.emplace_back("role", "primary");
    out.emplace_back("diagnoses", array_of(std::move(d)));
  }
  if (charge) {
    Value::Object c;
    c.reserve(3);
    c.emplace_back("amount_cny", std::move(*charge));
    c.emplace_back("category", "visit");
    c.emplace_back("charged_at", *visit_time);
    out.emplace_back("charges", array_of(std::move(c)));
  }
  if (note) {
    Value::Object n;
    n.reserve(2);
    n.emplace_back("kind", "chief_complaint");
    n.emplace_back("text", std::move(*note));
    out.emplace_back("notes", array_of(std::move(n)));
  }
  MapResult r;
  r.kind = MapResult::Kind::record;
  r.record = Value(std::move(out));
  return r;
}

MapResult map_line(std::string_view line, Format format, std::size_t max_line_bytes) {
  if (line.size() > max_line_bytes)
    return error("line of " + std::to_string(line.size()) + " bytes exceeds max_line_bytes (" +
                 std::to_string(max_line_bytes) + ")");
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (is_blank(line)) return {};

  Value v;
  sdk::JsonLimits limits;
  limits.max_bytes = max_line_bytes;
  if (sdk::Status s = sdk::parse_json(line, v, limits); !s.ok()) {
    std::string_view msg = s.message();
    constexpr std::string_view kPrefix = "invalid JSON: ";
    // parse_json refuses duplicate keys (a second subject.name could slip
    // past desensitization); its message names the key's path.
    if (msg.starts_with("duplicate key")) return error(std::string(msg));
    if (msg.starts_with(kPrefix)) msg.remove_prefix(kPrefix.size());
    return error("not JSON: " + std::string(msg));
  }
  if (!v.is_object()) return error(std::string("not a JSON object (") + sdk::type_name(v.type()) + ")");

  if (format == Format::detect) {
    if (v.find("event_type"))
      format = Format::profile;
    else if (is_flat(v))
      format = Format::flat;
    else
      return error(
          "unrecognized record shape: expected a profile record (with event_type) or a flat "
          "record (with record_id and name, mrn or id_number)");
  }
  if (format == Format::flat) return map_flat(std::move(v));
  MapResult r;
  r.kind = MapResult::Kind::record;
  r.record = std::move(v);
  return r;
}

}  // namespace medgate::file_adapter
