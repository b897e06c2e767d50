#include "pipeline/record_normalizer.h"

#include <array>
#include <bitset>

#include "crypto/digest.h"
#include "medgate/sdk/json.h"

namespace medgate::pipeline {
namespace {

using sdk::Value;
using std::string_view;
using K = FieldKind;

// ---- The input contract (schemas/input_record.schema.json) ------------------
// Row order follows the schemas so that a diff against them reads easily.
// tests/unit/pipeline/record_normalizer_test.cpp holds these tables equal to both
// schema files.

constexpr std::array<string_view, 13> kEventTypes = {"registration", "visit",  "admission", "transfer", "discharge",
                                                     "appointment",  "result", "charge",    "message",  "review",
                                                     "consent",      "merge",  "update"};
constexpr std::array<string_view, 3> kGenders = {"male", "female", "unknown"};
constexpr std::array<string_view, 19> kAgeBands = {"0-4",   "5-9",   "10-14", "15-19", "20-24", "25-29", "30-34",
                                                   "35-39", "40-44", "45-49", "50-54", "55-59", "60-64", "65-69",
                                                   "70-74", "75-79", "80-84", "85-89", "90+"};
constexpr std::array<string_view, 6> kChannelNames = {"wechat", "sms", "phone", "email", "app", "web"};
constexpr std::array<string_view, 7> kConsentChannels = {"wechat", "sms", "phone", "email", "app", "web", "all"};
constexpr std::array<string_view, 5> kVisitTypes = {"outpatient", "inpatient", "emergency", "telehealth", "checkup"};
constexpr std::array<string_view, 1> kIcd10 = {"ICD-10"};
constexpr std::array<string_view, 2> kDiagnosisRoles = {"primary", "secondary"};
constexpr std::array<string_view, 6> kInterpretations = {"normal",       "low",           "high",
                                                         "critical_low", "critical_high", "abnormal"};
constexpr std::array<string_view, 7> kPurposes = {"care",      "follow_up", "survey",  "outreach",
                                                  "marketing", "analytics", "research"};
constexpr std::array<string_view, 2> kDirections = {"inbound", "outbound"};
constexpr std::array<string_view, 7> kJourneys = {"pre_visit", "in_visit",     "post_visit",       "follow_up",
                                                  "survey",    "chronic_care", "review_monitoring"};
constexpr std::array<string_view, 3> kSentiments = {"positive", "neutral", "negative"};

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
constexpr bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}

bool is_code_word(string_view s) noexcept {
  if (s.empty() || s.size() > 64 || !is_lower(s[0])) return false;
  for (char c : s.substr(1))
    if (!is_lower(c) && !is_digit(c) && c != '_') return false;
  return true;
}

bool is_icd10_code(string_view s) noexcept {
  if (s.size() < 3 || !is_upper(s[0]) || !is_digit(s[1]) || !is_digit(s[2])) return false;
  if (s.size() == 3) return true;
  if (s[3] != '.' || s.size() < 5 || s.size() > 14) return false;
  for (char c : s.substr(4))
    if (!is_digit(c) && !is_lower(c) && !is_upper(c)) return false;
  return true;
}

bool starts_with_date(string_view s) noexcept {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!is_digit(s[i])) return false;
  return true;
}

constexpr StringPattern kCodeWord{"^[a-z][a-z0-9_]{0,63}$", is_code_word};
constexpr StringPattern kIcd10Code{"^[A-Z][0-9]{2}(\\.[0-9A-Za-z]{1,10})?$", is_icd10_code};
constexpr StringPattern kDatePrefix{"^[0-9]{4}-[0-9]{2}-[0-9]{2}", starts_with_date};

constexpr FieldSpec identifier(string_view name) {
  return {.name = name, .kind = K::identifier, .max_length = 1024};
}
constexpr FieldSpec timestamp(string_view name) {
  return {.name = name, .kind = K::timestamp};
}
constexpr FieldSpec text(string_view name, std::uint32_t min_length, std::uint32_t max_length) {
  return {.name = name, .kind = K::string, .min_length = min_length, .max_length = max_length};
}
constexpr FieldSpec one_of(string_view name, std::span<const string_view> values, bool required = false) {
  return {.name = name, .kind = K::enumeration, .required = required, .values = values};
}
constexpr FieldSpec counter(string_view name) {
  return {.name = name, .kind = K::integer, .minimum = 0};
}

constexpr std::array<FieldSpec, 9> kSubjectFields{{
    identifier("name"),
    identifier("resident_id"),
    identifier("mrn"),
    identifier("phone"),
    text("address", 0, 1024),
    {.name = "birth_date", .kind = K::string, .pattern = &kDatePrefix},
    identifier("wechat_openid"),
    identifier("wechat_unionid"),
    identifier("email"),
}};
constexpr FieldSpec kOtherIdentifier = identifier("");  // any other subject member
constexpr ObjectSpec kSubject{kSubjectFields, ExtraMembers::checked, &kOtherIdentifier};

constexpr std::array<FieldSpec, 2> kRegionFields{{
    {.name = "province", .kind = K::string, .required = true, .min_length = 1, .max_length = 64},
    text("city", 1, 64),
}};
constexpr ObjectSpec kRegion{kRegionFields};

constexpr std::array<FieldSpec, 4> kPatientFields{{
    one_of("gender", kGenders),
    {.name = "birth_year", .kind = K::integer, .minimum = 1870, .maximum = 2100},
    one_of("age_band", kAgeBands),
    {.name = "region", .kind = K::object, .object = &kRegion},
}};
constexpr ObjectSpec kPatient{kPatientFields};

constexpr std::array<FieldSpec, 1> kChannelsFields{{one_of("preferred", kChannelNames)}};
constexpr ObjectSpec kChannels{kChannelsFields};

constexpr std::array<FieldSpec, 6> kEncounterFields{{
    text("department", 1, 128),
    text("department_code", 1, 64),
    one_of("visit_type", kVisitTypes),
    timestamp("started_at"),
    timestamp("ended_at"),
    text("source_system", 1, 64),
}};
constexpr ObjectSpec kEncounter{kEncounterFields, ExtraMembers::any};  // open: site-specific members

constexpr std::array<FieldSpec, 11> kEngagementFields{{
    one_of("channel", kChannelNames),
    one_of("direction", kDirections),
    one_of("journey", kJourneys),
    text("campaign", 1, 128),
    counter("messages_sent"),
    counter("messages_received"),
    counter("delivered"),
    counter("opens"),
    counter("clicks"),
    counter("replies"),
    timestamp("last_interaction_at"),
}};
constexpr ObjectSpec kEngagement{kEngagementFields};

constexpr std::array<FieldSpec, 5> kFeedbackFields{{
    text("platform", 1, 64),
    {.name = "rating", .kind = K::integer, .minimum = 1, .maximum = 5},
    one_of("sentiment", kSentiments),
    {.name = "text", .kind = K::string},
    timestamp("submitted_at"),
}};
constexpr ObjectSpec kFeedback{kFeedbackFields};

constexpr std::array<FieldSpec, 5> kDiagnosisFields{{
    {.name = "code", .kind = K::string, .required = true, .pattern = &kIcd10Code},
    one_of("system", kIcd10, true),
    one_of("role", kDiagnosisRoles),
    text("description", 0, 256),
    timestamp("diagnosed_at"),
}};
constexpr ObjectSpec kDiagnosis{kDiagnosisFields};

constexpr std::array<FieldSpec, 4> kProcedureFields{{
    {.name = "code", .kind = K::string, .required = true, .min_length = 1, .max_length = 32},
    text("system", 1, 32),
    text("description", 0, 256),
    timestamp("performed_at"),
}};
constexpr ObjectSpec kProcedure{kProcedureFields};

constexpr std::array<FieldSpec, 8> kObservationFields{{
    {.name = "code", .kind = K::string, .required = true, .min_length = 1, .max_length = 64},
    text("system", 1, 64),
    text("display", 0, 256),
    {.name = "value", .kind = K::scalar, .max_length = 256},
    text("unit", 0, 32),
    text("reference_range", 0, 64),
    one_of("interpretation", kInterpretations),
    timestamp("observed_at"),
}};
constexpr ObjectSpec kObservation{kObservationFields};

constexpr std::array<FieldSpec, 3> kChargeFields{{
    {.name = "amount_cny", .kind = K::number, .required = true},
    {.name = "category", .kind = K::string, .pattern = &kCodeWord},
    timestamp("charged_at"),
}};
constexpr ObjectSpec kCharge{kChargeFields};

constexpr std::array<FieldSpec, 5> kConsentFields{{
    one_of("channel", kConsentChannels, true),
    one_of("purpose", kPurposes, true),
    {.name = "granted", .kind = K::boolean, .required = true},
    timestamp("recorded_at"),
    timestamp("expires_at"),
}};
constexpr ObjectSpec kConsent{kConsentFields};

constexpr std::array<FieldSpec, 3> kNoteFields{{
    {.name = "kind", .kind = K::string, .required = true, .pattern = &kCodeWord},
    {.name = "text", .kind = K::string, .required = true},
    timestamp("written_at"),
}};
constexpr ObjectSpec kNote{kNoteFields};

constexpr std::size_t kMaxSourceRecordId = 256;

constexpr std::array<FieldSpec, 15> kInputRecordFields{{
    {.name = "source_record_id",
     .kind = K::string,
     .required = true,
     .min_length = 1,
     .max_length = kMaxSourceRecordId},
    one_of("event_type", kEventTypes, true),
    {.name = "occurred_at", .kind = K::timestamp, .required = true},
    {.name = "subject", .kind = K::object, .object = &kSubject},
    {.name = "patient", .kind = K::object, .object = &kPatient},
    {.name = "channels", .kind = K::object, .object = &kChannels},
    {.name = "encounter", .kind = K::object, .object = &kEncounter},
    {.name = "engagement", .kind = K::object, .object = &kEngagement},
    {.name = "feedback", .kind = K::object, .object = &kFeedback},
    {.name = "diagnoses", .kind = K::object_array, .object = &kDiagnosis},
    {.name = "procedures", .kind = K::object_array, .object = &kProcedure},
    {.name = "observations", .kind = K::object_array, .object = &kObservation},
    {.name = "charges", .kind = K::object_array, .object = &kCharge},
    {.name = "consent", .kind = K::object_array, .object = &kConsent},
    {.name = "notes", .kind = K::object_array, .object = &kNote},
}};
constexpr ObjectSpec kInputRecord{kInputRecordFields};

constexpr std::array<string_view, 10> kGatewaySetFields = {"schema_version",
                                                           "record_id",
                                                           "source",
                                                           "ingested_at",
                                                           "patient.token",
                                                           "patient.mrn_token",
                                                           "channels.phone_token",
                                                           "channels.wechat_openid_token",
                                                           "channels.wechat_unionid_token",
                                                           "channels.email_token"};

// ---- Checking a record against the tables ------------------------------------

// Where a value sits, for messages; turned into text only when refusing.
struct Path {
  const Path* parent;
  string_view key;        // member name
  std::size_t index = 0;  // array index
  bool is_item = false;   // an array item, shown as [index]
};

// A member name appears in a message only when it looks like a field name: a
// source may use data as a key (a phone number, a name), and messages must not
// carry personal data.
bool looks_like_field_name(string_view k) {
  if (k.empty() || k.size() > 64 || !(is_lower(k[0]) || is_upper(k[0]) || k[0] == '_')) return false;
  int digit_run = 0;
  for (char c : k) {
    if (is_digit(c)) {
      if (++digit_run > 4) return false;
      continue;
    }
    digit_run = 0;
    if (!is_lower(c) && !is_upper(c) && c != '_' && c != '-') return false;
  }
  return true;
}

void append_path(const Path* p, std::string& out) {
  if (!p) return;
  append_path(p->parent, out);
  if (p->is_item) {
    out += '[';
    out += std::to_string(p->index);
    out += ']';
    return;
  }
  if (p->parent) out += '.';
  out += looks_like_field_name(p->key) ? p->key : string_view("<name not shown>");
}

std::string path_text(const Path& p) {
  std::string out;
  append_path(&p, out);
  return out;
}

std::string joined(std::span<const string_view> values) {
  std::string out;
  for (string_view v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

std::string timestamp_refusal(TimestampProblem p) {
  if (p == TimestampProblem::syntax)
    return "must be an RFC 3339 date-time with offset, e.g. 2026-05-05T08:34:00+08:00 or 2026-05-05T00:34:00Z";
  // Indexed by TimestampProblem.
  constexpr std::array<const char*, 9> kWhy = {"",
                                               "",
                                               "month must be 01-12",
                                               "day out of range for its month",
                                               "hour must be 00-23",
                                               "minute must be 00-59",
                                               "second must be 00-60",
                                               "second 60 (a leap second) is valid only at 23:59 UTC",
                                               "offset must be within -23:59..+23:59"};
  static_assert(static_cast<std::size_t>(TimestampProblem::offset) + 1 == kWhy.size());
  return std::string("is not a valid date-time: ") + kWhy[static_cast<std::size_t>(p)];
}

// JSON Schema counts string lengths in characters (code points); parse_json
// has checked that strings are UTF-8.
std::size_t characters(string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Runs for every member of every record: length and first character rule out
// most rows before a memcmp (table names are never empty).
const FieldSpec* find_field(std::span<const FieldSpec> fields, string_view name) {
  for (const FieldSpec& f : fields)
    if (f.name.size() == name.size() && f.name[0] == name[0] && f.name == name) return &f;
  return nullptr;
}

bool contains(std::span<const string_view> values, string_view v) {
  for (string_view x : values)
    if (x == v) return true;
  return false;
}

class ContractChecker {
 public:
  // Also refuses a member that appears twice: parse_json refuses that, but a
  // plugin can build such a Value, and every later stage would read only the
  // first of the two.
  bool check_object(const Value& obj, const ObjectSpec& spec, const Path* at) {
    std::bitset<ObjectSpec::kMaxFields> seen;  // which of spec.fields obj holds
    const Value::Object& members = obj.as_object();
    for (std::size_t i = 0; i < members.size(); ++i) {
      const auto& [key, value] = members[i];
      Path here{at, key};
      if (const FieldSpec* f = find_field(spec.fields, key)) {
        const auto n = static_cast<std::size_t>(f - spec.fields.data());
        if (seen.test(n)) return refuse_duplicate(here);
        seen.set(n);
        if (!check_field(value, *f, here)) return false;
        continue;
      }
      if (spec.extra != ExtraMembers::refused && named_before(members, i)) return refuse_duplicate(here);
      switch (spec.extra) {
        case ExtraMembers::any:
          if (!check_open_value(value, here, 1)) return false;
          continue;
        case ExtraMembers::checked:
          if (!check_field(value, *spec.other, here)) return false;
          continue;
        case ExtraMembers::refused:
          return refuse_member(here);
      }
    }
    for (std::size_t n = 0; n < spec.fields.size(); ++n)
      if (spec.fields[n].required && !seen.test(n))
        return refuse_with("missing required field '" + path_text(Path{at, spec.fields[n].name}) + "'");
    return true;
  }

  sdk::Status take_error() { return std::move(error_); }

 private:
  bool check_field(const Value& v, const FieldSpec& spec, const Path& at) {
    switch (spec.kind) {
      case K::string:
        if (!v.is_string()) return wrong_type(at, "a string", v);
        return check_length(v.as_string(), spec, at) && check_pattern(v.as_string(), spec, at);
      case K::integer:
        if (!v.is_int()) return wrong_type(at, "an integer", v);
        if (v.as_int() < spec.minimum || v.as_int() > spec.maximum) return refuse(at, integer_range(spec));
        return true;
      case K::number:
        return v.is_number() || wrong_type(at, "a number", v);
      case K::boolean:
        return v.is_bool() || wrong_type(at, "a boolean", v);
      case K::enumeration:
        if (!v.is_string()) return wrong_type(at, "a string", v);
        return contains(spec.values, v.as_string()) || refuse(at, "must be one of: " + joined(spec.values));
      case K::timestamp: {
        if (!v.is_string()) return wrong_type(at, "a string", v);
        TimestampProblem p = check_timestamp(v.as_string());
        return p == TimestampProblem::none || refuse(at, timestamp_refusal(p));
      }
      case K::scalar:
        if (v.is_number() || v.is_bool()) return true;
        if (!v.is_string()) return wrong_type(at, "a number, a string or a boolean", v);
        return check_length(v.as_string(), spec, at);
      case K::identifier:
        if (v.is_number()) return true;
        if (v.is_string()) return check_length(v.as_string(), spec, at);
        if (!v.is_array()) return wrong_type(at, "a string, a number or an array of them", v);
        for (std::size_t i = 0; i < v.as_array().size(); ++i) {
          const Value& item = v.as_array()[i];
          Path item_at{&at, {}, i, true};
          if (item.is_number()) continue;
          if (!item.is_string()) return wrong_type(item_at, "a string or a number", item);
          if (!check_length(item.as_string(), spec, item_at)) return false;
        }
        return true;
      case K::object:
        if (!v.is_object()) return wrong_type(at, "an object", v);
        return check_object(v, *spec.object, &at);
      case K::object_array:
        if (!v.is_array()) return wrong_type(at, "an array", v);
        for (std::size_t i = 0; i < v.as_array().size(); ++i) {
          const Value& item = v.as_array()[i];
          Path item_at{&at, {}, i, true};
          if (!item.is_object()) return wrong_type(item_at, "an object", item);
          if (!check_object(item, *spec.object, &item_at)) return false;
        }
        return true;
    }
    return refuse(at, "has no type in the input contract");  // unreachable: every kind is handled
  }

  bool check_length(string_view s, const FieldSpec& spec, const Path& at) {
    // Bytes bound characters from above, so most strings need no counting.
    if (s.size() >= spec.min_length && s.size() <= spec.max_length && spec.min_length <= 1) return true;
    std::size_t n = characters(s);
    if (n < spec.min_length)
      return refuse(at, spec.min_length == 1 ? std::string("must not be empty")
                                             : "must be at least " + std::to_string(spec.min_length) + " characters");
    if (n > spec.max_length) return refuse(at, "must be at most " + std::to_string(spec.max_length) + " characters");
    return true;
  }

  bool check_pattern(string_view s, const FieldSpec& spec, const Path& at) {
    if (!spec.pattern || spec.pattern->matches(s)) return true;
    return refuse(at, "must match " + std::string(spec.pattern->regex));
  }

  static std::string integer_range(const FieldSpec& spec) {
    if (spec.maximum == kNoMaximum) return "must be at least " + std::to_string(spec.minimum);
    if (spec.minimum == kNoMinimum) return "must be at most " + std::to_string(spec.maximum);
    return "must be between " + std::to_string(spec.minimum) + " and " + std::to_string(spec.maximum);
  }

  // An open member's value (e.g. a site-specific encounter attribute) has no
  // contract, but a member twice in one of its objects is refused as anywhere
  // else (a policy path into it would reach only the first of the two), and
  // so is nesting deeper than parse_json allows (later stages recurse).
  bool check_open_value(const Value& v, const Path& at, std::size_t depth) {
    if (!v.is_object() && !v.is_array()) return true;
    if (depth > kMaxOpenDepth)
      return refuse(at, "is nested deeper than " + std::to_string(kMaxOpenDepth) + " levels");
    if (v.is_array()) {
      for (std::size_t i = 0; i < v.as_array().size(); ++i)
        if (!check_open_value(v.as_array()[i], Path{&at, {}, i, true}, depth + 1)) return false;
      return true;
    }
    const Value::Object& members = v.as_object();
    for (std::size_t i = 0; i < members.size(); ++i) {
      Path here{&at, members[i].first};
      if (named_before(members, i)) return refuse_duplicate(here);
      if (!check_open_value(members[i].second, here, depth + 1)) return false;
    }
    return true;
  }
  static constexpr std::size_t kMaxOpenDepth = sdk::JsonLimits{}.max_depth;

  static bool named_before(const Value::Object& members, std::size_t i) {
    for (std::size_t j = 0; j < i; ++j)
      if (members[j].first == members[i].first) return true;
    return false;
  }

  bool refuse_duplicate(const Path& at) {
    return refuse_with("field '" + path_text(at) + "' appears twice in one object (the source built it so)");
  }

  bool refuse_member(const Path& at) {
    std::string path = path_text(at);
    if (contains(kGatewaySetFields, path)) return refuse_with("field '" + path + "' is set by the gateway");
    return refuse_with("unknown field '" + path + "' (see docs/profile-schema.md)");
  }

  bool wrong_type(const Path& at, const char* expected, const Value& v) {
    return refuse(at, std::string("must be ") + expected + ", not " + sdk::type_name(v.type()));
  }

  bool refuse(const Path& at, const std::string& what) { return refuse_with("field '" + path_text(at) + "' " + what); }

  bool refuse_with(std::string message) {
    error_ = sdk::Status::Invalid(std::move(message));
    return false;
  }

  sdk::Status error_;
};

sdk::Status require_string(const sdk::Value& body, const char* key, const sdk::Value*& out) {
  out = body.find(key);
  if (!out) return sdk::Status::Invalid(std::string("missing required field '") + key + "'");
  if (!out->is_string())
    return sdk::Status::Invalid(std::string("field '") + key + "' must be a string, not " +
                                sdk::type_name(out->type()));
  if (out->as_string().empty()) return sdk::Status::Invalid(std::string("field '") + key + "' is empty");
  return sdk::Status::Ok();
}

int two_digits(string_view s, std::size_t i) {
  return (s[i] - '0') * 10 + (s[i + 1] - '0');
}

bool is_leap_year(int y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int days_in_month(int year, int month) {
  constexpr std::array<int, 13> kDays = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : kDays[month];
}

}  // namespace

TimestampProblem check_timestamp(std::string_view s) noexcept {
  using P = TimestampProblem;
  // YYYY-MM-DDTHH:MM:SS is 19 characters, the shortest offset ("Z") one more.
  if (s.size() < 20) return P::syntax;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})
    if (!is_digit(s[i])) return P::syntax;
  if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':') return P::syntax;
  std::size_t i = 19;
  if (s[i] == '.') {
    std::size_t first = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == first) return P::syntax;
  }
  int offset_minutes = 0;
  if (i + 1 == s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    // UTC
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
             s[i + 3] == ':' && is_digit(s[i + 4]) && is_digit(s[i + 5])) {
    int oh = two_digits(s, i + 1), om = two_digits(s, i + 4);
    if (oh > 23 || om > 59) return P::offset;
    offset_minutes = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return P::syntax;
  }
  int year = two_digits(s, 0) * 100 + two_digits(s, 2);
  int month = two_digits(s, 5), day = two_digits(s, 8);
  int hour = two_digits(s, 11), minute = two_digits(s, 14), second = two_digits(s, 17);
  if (month < 1 || month > 12) return P::month;
  if (day < 1 || day > days_in_month(year, month)) return P::day;
  if (hour > 23) return P::hour;
  if (minute > 59) return P::minute;
  if (second > 60) return P::second;
  if (second == 60) {
    int utc = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
    if (utc != 23 * 60 + 59) return P::leap_second;
  }
  return P::none;
}

const ObjectSpec& input_record_spec() noexcept {
  return kInputRecord;
}

std::span<const std::string_view> gateway_set_fields() noexcept {
  return kGatewaySetFields;
}

bool is_known_event_type(std::string_view t) {
  return contains(kEventTypes, t);
}

std::string derive_record_id(const std::string& source, const std::string& source_record_id) {
  std::string key;
  key.reserve(source.size() + 1 + source_record_id.size());
  key += source;
  key.push_back('\x1f');
  key += source_record_id;
  return crypto::to_hex(crypto::sha256(key), 16);
}

sdk::Status RecordNormalizer::normalize(const std::string& source, const std::string& ingested_at,
                                        sdk::Value& body) const {
  if (!body.is_object()) return sdk::Status::Invalid("record must be a JSON object");
  // The envelope first, with its own messages; then every member against the
  // table (occurred_at's format included).
  const sdk::Value *id = nullptr, *type = nullptr, *at = nullptr;
  if (auto s = require_string(body, "source_record_id", id); !s.ok()) return s;
  if (id->as_string().size() > kMaxSourceRecordId)
    return sdk::Status::Invalid("source_record_id longer than " + std::to_string(kMaxSourceRecordId) + " bytes");
  if (auto s = require_string(body, "event_type", type); !s.ok()) return s;
  if (!is_known_event_type(type->as_string()))
    return sdk::Status::Invalid("unknown event_type (see docs/profile-schema.md for the list)");
  if (auto s = require_string(body, "occurred_at", at); !s.ok()) return s;
  if (ContractChecker checker; !checker.check_object(body, kInputRecord, nullptr)) return checker.take_error();

  // The envelope goes first so that records read well.
  sdk::Value::Object envelope;
  envelope.reserve(body.size() + 4);
  envelope.emplace_back("schema_version", sdk::Value(kProfileSchemaVersion));
  envelope.emplace_back("record_id", sdk::Value(derive_record_id(source, id->as_string())));
  envelope.emplace_back("source", sdk::Value(source));
  envelope.emplace_back("ingested_at", sdk::Value(ingested_at));
  for (auto& m : body.as_object()) envelope.push_back(std::move(m));
  body = sdk::Value(std::move(envelope));
  return sdk::Status::Ok();
}

}  // namespace medgate::pipeline
