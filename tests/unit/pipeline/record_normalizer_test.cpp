// The normalizer's input contract: its table against the schema files, and
// every refusal it makes.
#include "pipeline/record_normalizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "line_mapper.h"
#include "medgate/sdk/json.h"

namespace medgate::pipeline {
namespace {

using sdk::Value;

std::string source_path(const std::string& relative) {
  return std::string(MEDGATE_SOURCE_DIR) + "/" + relative;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Value parse(const std::string& text, const std::string& what) {
  Value v;
  sdk::Status s = sdk::parse_json(text, v);
  EXPECT_TRUE(s.ok()) << what << ": " << s.message();
  return v;
}

// ---- The table against schemas/*.schema.json --------------------------------

constexpr const char* kProfileId = "https://medgate.example/schemas/patient_profile/1";
constexpr const char* kInputId = "https://medgate.example/schemas/input_record/1";

// A schema node and the document its local $refs resolve in.
struct Node {
  const Value* node = nullptr;
  const Value* doc = nullptr;
};

// What a (resolved) schema node declares, in the table's terms.
struct Declared {
  FieldKind kind = FieldKind::string;
  std::vector<std::string> values;
  std::int64_t minimum = kNoMinimum, maximum = kNoMaximum;
  std::uint32_t min_length = 0, max_length = kNoMaxLength;
  std::string pattern;
  Node object;  // object, object_array
};

const std::set<std::string> kAnnotations = {"description", "title", "examples", "default", "$comment"};

class RecordNormalizerSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    profile_ = parse(read_text(source_path("schemas/patient_profile.schema.json")), "profile schema");
    input_ = parse(read_text(source_path("schemas/input_record.schema.json")), "input schema");
    ASSERT_EQ(profile_.string_or("$id", ""), kProfileId);
    ASSERT_EQ(input_.string_or("$id", ""), kInputId);
  }

  // Follows $ref within a document or to the other schema by its $id.
  Node resolve(Node n, const std::string& where) const {
    for (int hops = 0; hops < 8 && n.node; ++hops) {
      const Value* ref = n.node->find("$ref");
      if (!ref) return n;
      for (const auto& [k, v] : n.node->as_object())
        if (k != "$ref" && !kAnnotations.count(k)) ADD_FAILURE() << where << ": keyword '" << k << "' beside $ref";
      const std::string& r = ref->as_string();
      std::size_t hash = r.find('#');
      std::string base = r.substr(0, hash), pointer = r.substr(hash + 1);
      const Value* doc = base.empty() ? n.doc : base == kProfileId ? &profile_ : base == kInputId ? &input_ : nullptr;
      if (!doc || !pointer.starts_with("/$defs/")) {
        ADD_FAILURE() << where << ": cannot resolve $ref " << r;
        return {};
      }
      const Value* defs = doc->find("$defs");
      n = {defs ? defs->find(pointer.substr(7)) : nullptr, doc};
      if (!n.node) ADD_FAILURE() << where << ": $ref " << r << " names nothing";
    }
    return n;
  }

  Declared declared(Node in, const std::string& where) const {
    Node n = resolve(in, where);
    Declared d;
    if (!n.node) return d;
    const Value& s = *n.node;
    static const std::set<std::string> kUnderstood = {"type",
                                                      "enum",
                                                      "const",
                                                      "anyOf",
                                                      "format",
                                                      "minLength",
                                                      "maxLength",
                                                      "pattern",
                                                      "minimum",
                                                      "maximum",
                                                      "properties",
                                                      "required",
                                                      "additionalProperties",
                                                      "items"};
    for (const auto& [k, v] : s.as_object())
      if (!kUnderstood.count(k) && !kAnnotations.count(k))
        ADD_FAILURE() << where << ": keyword '" << k << "' is not in the normalizer's table model";
    auto u32 = [&](const char* key, std::uint32_t fallback) {
      const Value* v = s.find(key);
      return v ? static_cast<std::uint32_t>(v->as_int()) : fallback;
    };
    auto i64 = [&](const char* key, std::int64_t fallback) {
      const Value* v = s.find(key);
      return v ? v->as_int() : fallback;
    };
    if (const Value* e = s.find("enum")) {
      d.kind = FieldKind::enumeration;
      for (const Value& x : e->as_array()) d.values.push_back(x.as_string());
      return d;
    }
    if (const Value* c = s.find("const")) {
      d.kind = FieldKind::enumeration;
      d.values.push_back(c->as_string());
      return d;
    }
    if (const Value* any = s.find("anyOf")) return declared_any_of(*any, n.doc, where);
    std::string type(s.string_or("type", ""));
    if (type == "string" && s.find("format")) {
      EXPECT_EQ(s.string_or("format", ""), "date-time") << where;
      d.kind = FieldKind::timestamp;
    } else if (type == "string") {
      d.kind = FieldKind::string;
      d.min_length = u32("minLength", 0);
      d.max_length = u32("maxLength", kNoMaxLength);
      d.pattern = s.string_or("pattern", "");
    } else if (type == "integer") {
      d.kind = FieldKind::integer;
      d.minimum = i64("minimum", kNoMinimum);
      d.maximum = i64("maximum", kNoMaximum);
    } else if (type == "number") {
      d.kind = FieldKind::number;
    } else if (type == "boolean") {
      d.kind = FieldKind::boolean;
    } else if (type == "object") {
      d.kind = FieldKind::object;
      d.object = n;
    } else if (type == "array") {
      Node items = resolve({s.find("items"), n.doc}, where + "[]");
      EXPECT_TRUE(items.node && items.node->string_or("type", "") == "object") << where << ": items not objects";
      d.kind = FieldKind::object_array;
      d.object = items;
    } else {
      ADD_FAILURE() << where << ": type '" << type << "' is not in the normalizer's table model";
    }
    return d;
  }

  // anyOf of enums/consts -> their union; {number, string, boolean} -> scalar;
  // {string, number, array of string|number} -> identifier.
  Declared declared_any_of(const Value& any, const Value* doc, const std::string& where) const {
    std::vector<Node> branches;
    for (const Value& b : any.as_array())
      if (Node r = resolve({&b, doc}, where); r.node) branches.push_back(r);
    Declared d;
    if (std::all_of(branches.begin(), branches.end(),
                    [](const Node& b) { return b.node->find("enum") || b.node->find("const"); })) {
      d.kind = FieldKind::enumeration;
      for (const Node& b : branches) {
        Declared e = declared(b, where);
        d.values.insert(d.values.end(), e.values.begin(), e.values.end());
      }
      return d;
    }
    std::map<std::string, const Value*> by_type;
    for (const Node& b : branches) {
      std::string type(b.node->string_or("type", ""));
      by_type[type] = b.node;
      std::set<std::string> allowed = {"type"};
      if (type == "string") allowed.insert("maxLength");
      if (type == "array") allowed.insert("items");
      for (const auto& [k, v] : b.node->as_object())
        if (!allowed.count(k) && !kAnnotations.count(k))
          ADD_FAILURE() << where << ": keyword '" << k << "' in an anyOf branch is not in the normalizer's table model";
    }
    std::set<std::string> types;
    for (const auto& [t, node] : by_type) types.insert(t);
    if (types.size() != branches.size()) types.clear();  // a type twice: no shape below
    if (by_type.count("string")) {
      const Value* m = by_type["string"]->find("maxLength");
      d.max_length = m ? static_cast<std::uint32_t>(m->as_int()) : kNoMaxLength;
    }
    if (types == std::set<std::string>{"number", "string", "boolean"}) {
      d.kind = FieldKind::scalar;
      return d;
    }
    if (types == std::set<std::string>{"string", "number"}) {
      d.kind = FieldKind::identifier;  // as the items of an identifier list
      return d;
    }
    if (types == std::set<std::string>{"string", "number", "array"}) {
      d.kind = FieldKind::identifier;
      const Value* items = by_type["array"]->find("items");
      const Value* item_any = items ? items->find("anyOf") : nullptr;
      if (!item_any) {
        ADD_FAILURE() << where << ": identifier list items are not an anyOf";
        return d;
      }
      Declared item = declared_any_of(*item_any, doc, where + "[]");
      EXPECT_EQ(item.kind, FieldKind::identifier) << where << "[]: not string|number";
      EXPECT_EQ(item.max_length, d.max_length) << where << "[]";
      return d;
    }
    ADD_FAILURE() << where << ": anyOf shape is not in the normalizer's table model";
    return d;
  }

  void expect_field(const FieldSpec& spec, Node schema, const std::string& where) const {
    Declared d = declared(schema, where);
    EXPECT_EQ(spec.kind, d.kind) << where;
    std::vector<std::string> values(spec.values.begin(), spec.values.end());
    EXPECT_EQ(values, d.values) << where;
    EXPECT_EQ(spec.minimum, d.minimum) << where;
    EXPECT_EQ(spec.maximum, d.maximum) << where;
    EXPECT_EQ(spec.min_length, d.min_length) << where;
    EXPECT_EQ(spec.max_length, d.max_length) << where;
    EXPECT_EQ(spec.pattern ? std::string(spec.pattern->regex) : "", d.pattern) << where;
    bool nested = d.kind == FieldKind::object || d.kind == FieldKind::object_array;
    EXPECT_EQ(spec.object != nullptr, nested) << where;
    if (nested && spec.object && d.object.node)
      expect_object(*spec.object, d.object, where + (d.kind == FieldKind::object_array ? "[]." : "."));
  }

  static bool only_forbidden(const Value& property) {  // {"not": ...}: a source must not set it
    return property.find("not") && property.size() == 1;
  }

  static bool is_gateway_set(const std::string& path) {
    auto set = gateway_set_fields();
    return std::find(set.begin(), set.end(), path) != set.end();
  }

  // Members, required members and additional members, both ways.
  void expect_object(const ObjectSpec& spec, Node schema, const std::string& prefix) const {
    EXPECT_LE(spec.fields.size(), ObjectSpec::kMaxFields) << prefix << ": the contract checker keeps one bit per field";
    std::set<std::string> required;
    if (const Value* r = schema.node->find("required"))
      for (const Value& x : r->as_array()) required.insert(x.as_string());
    std::set<std::string> declared_names;
    const Value* props = schema.node->find("properties");
    ASSERT_NE(props, nullptr) << prefix;
    for (const auto& [name, property] : props->as_object()) {
      std::string where = prefix + name;
      if (only_forbidden(property)) {
        EXPECT_TRUE(is_gateway_set(where)) << where << " is forbidden by the schema but not in gateway_set_fields()";
        continue;
      }
      declared_names.insert(name);
      auto f = std::find_if(spec.fields.begin(), spec.fields.end(), [&](const FieldSpec& x) { return x.name == name; });
      if (f == spec.fields.end()) {
        ADD_FAILURE() << where << " is in the schema but not in the normalizer's table";
        continue;
      }
      EXPECT_EQ(f->required, required.count(name) == 1) << where << " (required)";
      expect_field(*f, {&property, schema.doc}, where);
    }
    for (const FieldSpec& f : spec.fields)
      EXPECT_TRUE(declared_names.count(std::string(f.name)))
          << prefix << f.name << " is in the table, not in the schema";
    const Value* extra = schema.node->find("additionalProperties");
    if (!extra || (extra->is_bool() && extra->as_bool())) {
      EXPECT_EQ(spec.extra, ExtraMembers::any) << prefix << " (additionalProperties)";
    } else if (extra->is_bool()) {
      EXPECT_EQ(spec.extra, ExtraMembers::refused) << prefix << " (additionalProperties)";
    } else {
      EXPECT_EQ(spec.extra, ExtraMembers::checked) << prefix << " (additionalProperties)";
      ASSERT_NE(spec.other, nullptr) << prefix;
      expect_field(*spec.other, {extra, schema.doc}, prefix + "*");
    }
  }

  Value profile_, input_;
};

TEST_F(RecordNormalizerSchema, TableEqualsTheInputSchema) {
  expect_object(input_record_spec(), {&input_, &input_}, "");
}

// What passes the normalizer and a policy's `keep` must validate as a profile:
// every facet member a source may send has the same declaration in the output
// schema, and the members only the gateway writes are exactly its tokens.
TEST_F(RecordNormalizerSchema, TableFitsTheProfileSchema) {
  const Value* props = profile_.find("properties");
  ASSERT_NE(props, nullptr);
  std::set<std::string> expected_top, profile_top;
  for (const auto& [name, v] : props->as_object()) profile_top.insert(name);
  for (const FieldSpec& f : input_record_spec().fields)
    if (f.name != "subject") expected_top.insert(std::string(f.name));  // subject never leaves the gateway
  std::set<std::string> gateway_set_paths;
  for (std::string_view g : gateway_set_fields()) {
    gateway_set_paths.insert(std::string(g));
    if (g.find('.') == std::string_view::npos) expected_top.insert(std::string(g));
  }
  EXPECT_EQ(profile_top, expected_top);

  std::set<std::string> token_paths;
  for (const FieldSpec& f : input_record_spec().fields) {
    if (!f.object || f.name == "subject") continue;
    std::string facet(f.name);
    Declared out = declared({props->find(facet), &profile_}, facet);
    ASSERT_EQ(out.kind, f.kind) << facet;
    ASSERT_NE(out.object.node, nullptr) << facet;
    const Value* out_members = out.object.node->find("properties");
    for (const FieldSpec& m : f.object->fields) {
      std::string where = facet + "." + std::string(m.name);
      const Value* om = out_members->find(m.name);
      if (!om) {
        ADD_FAILURE() << where << " passes the normalizer but the profile has no such member";
        continue;
      }
      expect_field(m, {om, &profile_}, where + " (profile)");
    }
    if (f.object->extra == ExtraMembers::any) {
      const Value* extra = out.object.node->find("additionalProperties");
      EXPECT_TRUE(!extra || (extra->is_bool() && extra->as_bool())) << facet << " is open in the input only";
    }
    for (const auto& [name, om] : out_members->as_object()) {
      std::string ref(om.string_or("$ref", ""));
      if (ref == "#/$defs/token" || ref == "#/$defs/tokens") token_paths.insert(facet + "." + name);
    }
  }
  std::set<std::string> gateway_set_members;
  for (const std::string& g : gateway_set_paths)
    if (g.find('.') != std::string::npos) gateway_set_members.insert(g);
  EXPECT_EQ(gateway_set_members, token_paths);
}

// ---- Records that pass ------------------------------------------------------

TEST(RecordNormalizer, AcceptsTheInputSchemaExamplesAndRefusesTheInvalidOnes) {
  // Each invalid example with the reason the normalizer gives (ajv's are in
  // tests/schema/examples/input-invalid-expected.json).
  const std::map<std::string, std::string> expected = {
      {"flat-his-record.json", "unknown field 'mrn' (see docs/profile-schema.md)"},
      {"long-source-record-id.json", "source_record_id longer than 256 bytes"},
      {"missing-occurred-at.json", "missing required field 'occurred_at'"},
      {"raw-phone-in-channels.json", "unknown field 'channels.phone' (see docs/profile-schema.md)"},
      {"sets-ingested-at.json", "field 'ingested_at' is set by the gateway"},
      {"sets-patient-token.json", "field 'patient.token' is set by the gateway"},
      {"sets-record-id.json", "field 'record_id' is set by the gateway"},
  };
  RecordNormalizer n;
  namespace fs = std::filesystem;
  std::size_t valid = 0, invalid = 0;
  for (const auto& e : fs::directory_iterator(source_path("tests/schema/examples/input-valid"))) {
    Value v = parse(read_text(e.path()), e.path());
    sdk::Status s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", v);
    EXPECT_TRUE(s.ok()) << e.path() << ": " << s.message();
    ++valid;
  }
  for (const auto& e : fs::directory_iterator(source_path("tests/schema/examples/input-invalid"))) {
    Value v = parse(read_text(e.path()), e.path());
    sdk::Status s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", v);
    auto want = expected.find(e.path().filename());
    if (want == expected.end()) {
      ADD_FAILURE() << e.path() << ": add its expected refusal to this test";
      continue;
    }
    EXPECT_EQ(s.message(), want->second) << e.path();
    ++invalid;
  }
  EXPECT_GE(valid, 3u);
  EXPECT_EQ(invalid, expected.size());
}

TEST(RecordNormalizer, AcceptsTheDemoRecordsThroughTheFileMapping) {
  RecordNormalizer n;
  for (const char* file : {"config/demo/channels.ndjson", "config/demo/his-visits.ndjson"}) {
    std::ifstream in(source_path(file));
    ASSERT_TRUE(in) << file;
    std::size_t line_no = 0, records = 0, malformed = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_no;
      auto mapped = file_adapter::map_line(line, file_adapter::Format::detect, 1 << 20);
      if (!mapped.ok()) {
        ++malformed;
        continue;
      }
      sdk::Status s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", mapped.record);
      EXPECT_TRUE(s.ok()) << file << ":" << line_no << ": " << s.message();
      ++records;
    }
    if (std::string(file) == "config/demo/channels.ndjson") {
      EXPECT_EQ(records, 3u);
      EXPECT_EQ(malformed, 1u);  // the deliberately malformed line, refused by the mapping
    } else {
      EXPECT_EQ(records, 500u);
      EXPECT_EQ(malformed, 0u);
    }
  }
}

TEST(RecordNormalizer, AcceptsFlatHisRecordsAsMapped) {
  RecordNormalizer n;
  for (const char* flat : {
           // every field gen_records.py writes
           R"({"source":"his","record_id":"HIS-000000007","mrn":"MRN00000007","name":"测试丙","gender":"F",
               "birth_date":"1970-01-31","id_number":"11010519491231002X","phone":"13800138000",
               "address":"北京市某区某路1号101室","visit_time":"2026-02-28T23:59:59+08:00","department":"眼科",
               "diagnosis_icd10":"H25.9","charge_cny":20,"note":"常规复诊，无特殊。"})",
           // the least map_flat accepts, an unknown gender code, nulls for absent fields
           R"({"record_id":"HIS-8","name":"测试丁","visit_time":"2024-02-29T00:00:00Z","gender":"9",
               "department":null,"charge_cny":-12.5})",
       }) {
    Value v = parse(flat, flat);
    auto mapped = file_adapter::map_flat(std::move(v));
    ASSERT_TRUE(mapped.ok()) << mapped.reason;
    sdk::Status s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", mapped.record);
    EXPECT_TRUE(s.ok()) << s.message();
  }
}

TEST(RecordNormalizer, AcceptsEveryFacetMemberAndOpenEncounterMembers) {
  RecordNormalizer n;
  Value v = parse(R"({"source_record_id":"A-1","event_type":"discharge","occurred_at":"2026-10-05T11:00:00.5+08:00",
    "subject":{"name":["王芳","Wang Fang"],"resident_id":"11010519491231002X","mrn":42,"phone":[13800138000],
               "address":"北京市","birth_date":"1949-12-31T00:00","wechat_openid":"o1","wechat_unionid":"u1",
               "email":"a@example.org","insurance_no":"INS-1","card_numbers":["C1",2]},
    "patient":{"gender":"unknown","birth_year":1870,"age_band":"90+","region":{"province":"北京市","city":"北京市"}},
    "channels":{"preferred":"sms"},
    "encounter":{"department":"心内科","department_code":"0302","visit_type":"inpatient",
                 "started_at":"2026-09-28T10:00:00+08:00","ended_at":"2026-10-05T11:00:00+08:00","source_system":"his",
                 "ward":"心内一病区","length_of_stay_days":7,"beds":{"type":"icu"}},
    "engagement":{"channel":"app","direction":"outbound","journey":"post_visit","campaign":"c","messages_sent":0,
                  "messages_received":1,"delivered":1,"opens":1,"clicks":0,"replies":1,"last_interaction_at":"2026-10-06T00:00:00Z"},
    "feedback":{"platform":"p","rating":5,"sentiment":"neutral","text":"好","submitted_at":"2026-10-06T00:00:00Z"},
    "diagnoses":[{"code":"J44.100x001","system":"ICD-10","role":"secondary","description":"d","diagnosed_at":"2026-10-01T00:00:00Z"},
                 {"code":"I10","system":"ICD-10"}],
    "procedures":[{"code":"88.5601","system":"ICD-9-CM-3","description":"d","performed_at":"2026-10-01T00:00:00Z"}],
    "observations":[{"code":"8480-6","system":"LOINC","display":"收缩压","value":152,"unit":"mm[Hg]",
                     "reference_range":"90-140","interpretation":"high","observed_at":"2026-10-01T00:00:00Z"},
                    {"code":"x","value":"阳性"},{"code":"y","value":true},{"code":"z","value":1.5}],
    "charges":[{"amount_cny":-4052.03,"category":"drug","charged_at":"2026-10-01T00:00:00Z"},{"amount_cny":1}],
    "consent":[{"channel":"all","purpose":"marketing","granted":false,"recorded_at":"2026-10-01T00:00:00Z",
                "expires_at":"2027-10-01T00:00:00Z"}],
    "notes":[{"kind":"discharge_summary","text":"t","written_at":"2026-10-05T11:00:00+08:00"}]})",
                  "full record");
  sdk::Status s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", v);
  EXPECT_TRUE(s.ok()) << s.message();
}

// ---- Refusals ---------------------------------------------------------------

// A valid envelope around `members`, a JSON fragment such as "\"patient\":{...}".
Value record_with(const std::string& members) {
  return parse(R"({"source_record_id":"A-1","event_type":"visit","occurred_at":"2026-10-02T09:15:00+08:00")" +
                   (members.empty() ? "" : "," + members) + "}",
               members);
}

struct Refusal {
  std::string members;
  std::string message;
};

void expect_refusals(const std::vector<Refusal>& cases) {
  RecordNormalizer n;
  for (const auto& c : cases) {
    Value v = record_with(c.members);
    sdk::Status s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", v);
    EXPECT_FALSE(s.ok()) << c.members;
    EXPECT_EQ(s.message(), c.message) << c.members;
    // Values can be personal data: every bad value below contains SECRET or 1380013.
    EXPECT_EQ(s.message().find("SECRET"), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("1380013"), std::string::npos) << s.message();
  }
}

TEST(RecordNormalizer, RefusesUnknownFields) {
  const std::string see = " (see docs/profile-schema.md)";
  expect_refusals({
      {R"("engagement":{"messages_opened":1})", "unknown field 'engagement.messages_opened'" + see},
      {R"("mrn":"SECRET-MRN")", "unknown field 'mrn'" + see},
      {R"("name":"SECRET")", "unknown field 'name'" + see},
      {R"("patient":{"name":"SECRET"})", "unknown field 'patient.name'" + see},
      {R"("patient":{"birth_month":"1949-12"})", "unknown field 'patient.birth_month'" + see},  // generalize writes it
      {R"("patient":{"region":{"province":"北京市","address":"SECRET"}})",
       "unknown field 'patient.region.address'" + see},
      {R"("channels":{"phone":"13800138000"})", "unknown field 'channels.phone'" + see},
      {R"("diagnoses":[{"code":"I10","system":"ICD-10"},{"code":"I10","system":"ICD-10","icd":"SECRET"}])",
       "unknown field 'diagnoses[1].icd'" + see},
      {R"("feedback":{"author":"SECRET"})", "unknown field 'feedback.author'" + see},
      // A key can itself be data: it is not repeated in the message.
      {R"("engagement":{"13800138000":1})", "unknown field 'engagement.<name not shown>'" + see},
      {R"("SECRET 王芳":1)", "unknown field '<name not shown>'" + see},
  });
}

TEST(RecordNormalizer, RefusesWrongTypesAndLimits) {
  expect_refusals({
      {R"("patient":{"birth_year":"SECRET"})", "field 'patient.birth_year' must be an integer, not string"},
      {R"("patient":{"birth_year":1949.0})", "field 'patient.birth_year' must be an integer, not number"},
      {R"("patient":{"birth_year":1869})", "field 'patient.birth_year' must be between 1870 and 2100"},
      {R"("patient":{"region":"SECRET"})", "field 'patient.region' must be an object, not string"},
      {R"("patient":{"region":{"city":"北京市"}})", "missing required field 'patient.region.province'"},
      {R"("patient":{"region":{"province":""}})", "field 'patient.region.province' must not be empty"},
      {R"("feedback":{"rating":6})", "field 'feedback.rating' must be between 1 and 5"},
      {R"("feedback":{"text":["SECRET"]})", "field 'feedback.text' must be a string, not array"},
      {R"("engagement":{"opens":-1})", "field 'engagement.opens' must be at least 0"},
      {R"("engagement":{"opens":true})", "field 'engagement.opens' must be an integer, not boolean"},
      {R"("encounter":{"department":")" + std::string(129, 'x') + R"("})",
       "field 'encounter.department' must be at most 128 characters"},
      {R"("encounter":{"started_at":"SECRET"})",
       "field 'encounter.started_at' must be an RFC 3339 date-time with offset, e.g. 2026-05-05T08:34:00+08:00 or "
       "2026-05-05T00:34:00Z"},
      {R"("encounter":{"ended_at":"2026-02-30T00:00:00Z"})",
       "field 'encounter.ended_at' is not a valid date-time: day out of range for its month"},
      {R"("charges":[{"amount_cny":"SECRET"}])", "field 'charges[0].amount_cny' must be a number, not string"},
      {R"("charges":[{"category":"drug"}])", "missing required field 'charges[0].amount_cny'"},
      {R"("charges":[{"amount_cny":1,"category":"SECRET"}])",
       "field 'charges[0].category' must match ^[a-z][a-z0-9_]{0,63}$"},
      {R"("diagnoses":[{"code":"SECRET","system":"ICD-10"}])",
       "field 'diagnoses[0].code' must match ^[A-Z][0-9]{2}(\\.[0-9A-Za-z]{1,10})?$"},
      {R"("diagnoses":[{"code":"I10"}])", "missing required field 'diagnoses[0].system'"},
      {R"("diagnoses":[{"code":"I10","system":"ICD-10"},"SECRET"])",
       "field 'diagnoses[1]' must be an object, not string"},
      {R"("notes":[{"kind":"message"}])", "missing required field 'notes[0].text'"},
      {R"("consent":[{"channel":"sms","purpose":"survey","granted":"SECRET"}])",
       "field 'consent[0].granted' must be a boolean, not string"},
      {R"("observations":[{"code":"x","value":{"SECRET":1}}])",
       "field 'observations[0].value' must be a number, a string or a boolean, not object"},
      {R"("observations":[{"code":"x","value":")" + std::string(257, 'x') + R"("}])",
       "field 'observations[0].value' must be at most 256 characters"},
      {R"("subject":{"phone":{"SECRET":1}})",
       "field 'subject.phone' must be a string, a number or an array of them, not object"},
      {R"("subject":{"phone":["13800138000",true]})",
       "field 'subject.phone[1]' must be a string or a number, not boolean"},
      {R"("subject":{"insurance_no":null})",
       "field 'subject.insurance_no' must be a string, a number or an array of them, not null"},
      {R"("subject":{"address":13800138000})", "field 'subject.address' must be a string, not integer"},
      {R"("subject":{"birth_date":"SECRET"})", "field 'subject.birth_date' must match ^[0-9]{4}-[0-9]{2}-[0-9]{2}"},
      {R"("subject":{"name":")" + std::string(1025, 'x') + R"("})",
       "field 'subject.name' must be at most 1024 characters"},
      {R"("engagement":"SECRET")", "field 'engagement' must be an object, not string"},
      {R"("notes":{"kind":"SECRET"})", "field 'notes' must be an array, not object"},
  });
  // Lengths count characters, not bytes: 1024 CJK characters are 3072 bytes.
  std::string name;
  for (int i = 0; i < 1024; ++i) name += "王";
  Value v = record_with(R"("subject":{"name":")" + name + R"("})");
  EXPECT_TRUE(RecordNormalizer().normalize("inbox", "t", v).ok());
}

TEST(RecordNormalizer, RefusesValuesOutsideAnEnum) {
  expect_refusals({
      {R"("patient":{"gender":"F"})", "field 'patient.gender' must be one of: male, female, unknown"},
      {R"("patient":{"age_band":"SECRET"})",
       "field 'patient.age_band' must be one of: 0-4, 5-9, 10-14, 15-19, 20-24, 25-29, 30-34, 35-39, 40-44, 45-49, "
       "50-54, 55-59, 60-64, 65-69, 70-74, 75-79, 80-84, 85-89, 90+"},
      {R"("feedback":{"sentiment":"SECRET"})",
       "field 'feedback.sentiment' must be one of: positive, neutral, negative"},
      {R"("feedback":{"sentiment":1})", "field 'feedback.sentiment' must be a string, not integer"},
      {R"("channels":{"preferred":"all"})",
       "field 'channels.preferred' must be one of: wechat, sms, phone, email, app, web"},
      {R"("consent":[{"channel":"fax","purpose":"care","granted":true}])",
       "field 'consent[0].channel' must be one of: wechat, sms, phone, email, app, web, all"},
      {R"("diagnoses":[{"code":"I10","system":"ICD-9"}])", "field 'diagnoses[0].system' must be one of: ICD-10"},
      {R"("encounter":{"visit_type":"SECRET"})",
       "field 'encounter.visit_type' must be one of: outpatient, inpatient, emergency, telehealth, checkup"},
  });
  RecordNormalizer n;
  Value v = parse(R"({"source_record_id":"a","event_type":"SECRET","occurred_at":"2026-10-02T09:15:00Z"})", "event");
  EXPECT_EQ(n.normalize("inbox", "t", v).message(), "unknown event_type (see docs/profile-schema.md for the list)");
}

TEST(RecordNormalizer, RefusesFieldsOnlyTheGatewaySets) {
  std::size_t tokens = 0;
  for (std::string_view path : gateway_set_fields()) {
    std::string p(path);
    std::size_t dot = p.find('.');
    std::string members = dot == std::string::npos ? "\"" + p + "\":\"0123456789abcdef0123456789abcdef\""
                                                   : "\"" + p.substr(0, dot) + "\":{\"" + p.substr(dot + 1) +
                                                         "\":\"0123456789abcdef0123456789abcdef\"}";
    expect_refusals({{members, "field '" + p + "' is set by the gateway"}});
    tokens += dot != std::string::npos;
  }
  EXPECT_EQ(tokens, 6u);  // patient.token, patient.mrn_token and four channels.*_token
  // A token list is refused like a single token.
  expect_refusals({{R"("channels":{"preferred":"sms","wechat_unionid_token":["0123456789abcdef"]})",
                    "field 'channels.wechat_unionid_token' is set by the gateway"}});
}

// parse_json refuses a key twice in one object; a plugin can still build
// such a Value, and every later stage would read only the first of the two.
TEST(RecordNormalizer, RefusesAMemberSetTwiceInOneObject) {
  struct Twice {
    std::string members;              // the record before the second member is added
    std::vector<std::string> object;  // where: member names, "0" for an array's first element
    std::string key;
    std::string message;
  };
  const std::string appears = " appears twice in one object (the source built it so)";
  const std::vector<Twice> cases = {
      {R"("subject":{"mrn":"SECRET-1"})", {}, "subject", "field 'subject'" + appears},
      {R"("subject":{"mrn":"SECRET-1"})", {"subject"}, "mrn", "field 'subject.mrn'" + appears},
      {R"("subject":{"card_no":"SECRET-1"})", {"subject"}, "card_no", "field 'subject.card_no'" + appears},
      {R"("encounter":{"ward":"3A"})", {"encounter"}, "ward", "field 'encounter.ward'" + appears},
      // Inside the value of an open member, which has no contract otherwise.
      {R"("encounter":{"site":{"bed":"SECRET-2"}})", {"encounter", "site"}, "bed",
       "field 'encounter.site.bed'" + appears},
      {R"("encounter":{"site":{"beds":[{"ward":"3A"}]}})", {"encounter", "site", "beds", "0"}, "ward",
       "field 'encounter.site.beds[0].ward'" + appears},
      {R"("diagnoses":[{"code":"I10","system":"ICD-10"}])", {"diagnoses", "0"}, "code",
       "field 'diagnoses[0].code'" + appears},
  };
  RecordNormalizer n;
  for (const Twice& c : cases) {
    Value v = record_with(c.members);
    Value* at = &v;
    for (const std::string& step : c.object) at = step == "0" ? &at->as_array()[0] : &(*at)[step];
    Value second = *at->find(c.key);  // same type, so only the repetition is wrong
    at->as_object().emplace_back(c.key, std::move(second));
    sdk::Status s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", v);
    EXPECT_FALSE(s.ok()) << c.members << " + " << c.key;
    EXPECT_EQ(s.message(), c.message) << c.members;
    EXPECT_EQ(s.message().find("SECRET"), std::string::npos) << s.message();
  }
  // The same name in two objects is no repetition.
  Value v = record_with(R"("diagnoses":[{"code":"I10","system":"ICD-10"},{"code":"I10","system":"ICD-10"}])");
  sdk::Status s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", v);
  EXPECT_TRUE(s.ok()) << s.message();
}

// An open member may hold any JSON, but no deeper than parse_json would have
// let it be: the stages after the normalizer recurse into it.
TEST(RecordNormalizer, RefusesAnOpenMemberNestedTooDeep) {
  auto nested = [](std::size_t levels) {
    Value v("x");
    for (std::size_t i = 0; i < levels; ++i) {
      Value::Array a;
      a.push_back(std::move(v));
      v = Value(std::move(a));
    }
    return v;
  };
  RecordNormalizer n;
  Value ok = record_with(R"("encounter":{"ward":"3A"})");
  ok["encounter"].as_object().emplace_back("site", nested(64));
  sdk::Status s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", ok);
  EXPECT_TRUE(s.ok()) << s.message();

  Value deep = record_with(R"("encounter":{"ward":"3A"})");
  deep["encounter"].as_object().emplace_back("site", nested(65));
  s = n.normalize("inbox", "2026-11-23T00:00:00.000Z", deep);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().substr(0, 22), "field 'encounter.site[");
  EXPECT_NE(s.message().find("' is nested deeper than 64 levels"), std::string::npos) << s.message();
}

TEST(RecordNormalizer, RefusesOccurredAtThatIsNotRfc3339WithOffset) {
  const std::string syntax =
      "field 'occurred_at' must be an RFC 3339 date-time with offset, e.g. 2026-05-05T08:34:00+08:00 or "
      "2026-05-05T00:34:00Z";
  const std::string invalid = "field 'occurred_at' is not a valid date-time: ";
  struct Case {
    const char* at;
    std::string message;
  } cases[] = {
      {"2026-10-02", syntax},
      {"2026-10-02T09:15:00", syntax},  // no offset
      {"2026-10-02 09:15:00+08:00", syntax},
      {"2026-10-02T09:15+08:00", syntax},
      {"2026-10-02T09:15:00+0800", syntax},
      {"2026-10-02T09:15:00+08", syntax},
      {"2026-10-02T09:15:00.+08:00", syntax},
      {"2026-10-02T09:15:00Z ", syntax},
      {"2026-1-02T09:15:00+08:00", syntax},
      {"20261002T091500Z", syntax},
      {"SECRET", syntax},
      {"2026-13-01T00:00:00Z", invalid + "month must be 01-12"},
      {"2026-00-01T00:00:00Z", invalid + "month must be 01-12"},
      {"2026-02-30T00:00:00Z", invalid + "day out of range for its month"},
      {"2025-02-29T00:00:00Z", invalid + "day out of range for its month"},
      {"1900-02-29T00:00:00Z", invalid + "day out of range for its month"},
      {"2026-04-31T00:00:00Z", invalid + "day out of range for its month"},
      {"2026-01-00T00:00:00Z", invalid + "day out of range for its month"},
      {"2026-01-01T24:00:00Z", invalid + "hour must be 00-23"},
      {"2026-01-01T12:60:00Z", invalid + "minute must be 00-59"},
      {"2026-01-01T12:00:61Z", invalid + "second must be 00-60"},
      {"2026-06-30T12:00:60Z", invalid + "second 60 (a leap second) is valid only at 23:59 UTC"},
      {"2016-12-31T23:59:60+08:00", invalid + "second 60 (a leap second) is valid only at 23:59 UTC"},
      {"2026-01-01T00:00:00+24:00", invalid + "offset must be within -23:59..+23:59"},
      {"2026-01-01T00:00:00-08:60", invalid + "offset must be within -23:59..+23:59"},
  };
  RecordNormalizer n;
  for (const auto& c : cases) {
    Value v =
        parse(std::string(R"({"source_record_id":"a","event_type":"visit","occurred_at":")") + c.at + "\"}", c.at);
    EXPECT_EQ(n.normalize("inbox", "t", v).message(), c.message) << c.at;
  }
  for (const char* ok : {"2026-10-02T09:15:00+08:00", "2026-10-02T01:15:00Z", "2026-10-02t01:15:00z",
                         "2026-10-02T01:15:00.123456789Z", "2024-02-29T00:00:00+08:00", "2000-02-29T00:00:00Z",
                         "2016-12-31T23:59:60Z", "2017-01-01T07:59:60+08:00", "2016-12-31T15:59:60-08:00",
                         "2026-01-01T00:00:00-23:59", "2026-12-31T23:59:59+23:59", "0001-01-01T00:00:00Z"}) {
    EXPECT_EQ(check_timestamp(ok), TimestampProblem::none) << ok;
    Value v = parse(std::string(R"({"source_record_id":"a","event_type":"visit","occurred_at":")") + ok + "\"}", ok);
    EXPECT_TRUE(n.normalize("inbox", "t", v).ok()) << ok;
  }
}

}  // namespace
}  // namespace medgate::pipeline
