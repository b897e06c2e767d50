#include "line_mapper.h"

#include <gtest/gtest.h>

#include "../json_value.h"
#include "medgate/sdk/json.h"

namespace medgate::file_adapter {
namespace {

constexpr std::size_t kMax = 1 << 20;

// A line exactly as gen_records.py writes it.
constexpr std::string_view kFlat =
    R"({"source": "his", "record_id": "HIS-000000000", "mrn": "MRN84541427", "name": "唐芬", "gender": "M", )"
    R"("birth_date": "2006-08-15", "id_number": "510107200608155200", "phone": "13578837457", )"
    R"("address": "四川省某区某路97号1930室", "visit_time": "2026-05-05T08:34:00+08:00", "department": "呼吸内科", )"
    R"("diagnosis_icd10": "J44.1", "charge_cny": 4052.03, "note": "常规复诊，无特殊。"})";

using testing::json;

std::string mapped_json(std::string_view line, Format f = Format::detect) {
  MapResult r = map_line(line, f, kMax);
  EXPECT_EQ(r.kind, MapResult::Kind::record) << r.reason;
  return sdk::to_json(r.record);
}

std::string error_of(std::string_view line, Format f = Format::detect, std::size_t max = kMax) {
  MapResult r = map_line(line, f, max);
  EXPECT_EQ(r.kind, MapResult::Kind::error);
  return r.reason;
}

TEST(LineMapper, FlatRecordMapsToProfileShape) {
  sdk::Value expected = json(R"({
    "source_record_id": "HIS-000000000", "event_type": "visit", "occurred_at": "2026-05-05T08:34:00+08:00",
    "subject": {"mrn": "MRN84541427", "name": "唐芬", "birth_date": "2006-08-15",
                "resident_id": "510107200608155200", "phone": "13578837457", "address": "四川省某区某路97号1930室"},
    "patient": {"gender": "male"},
    "encounter": {"department": "呼吸内科", "visit_type": "outpatient", "started_at": "2026-05-05T08:34:00+08:00",
                  "source_system": "his"},
    "diagnoses": [{"code": "J44.1", "system": "ICD-10", "role": "primary"}],
    "charges": [{"amount_cny": 4052.03, "category": "visit", "charged_at": "2026-05-05T08:34:00+08:00"}],
    "notes": [{"kind": "chief_complaint", "text": "常规复诊，无特殊。"}]})");
  EXPECT_EQ(mapped_json(kFlat), sdk::to_json(expected));
  EXPECT_EQ(mapped_json(kFlat, Format::flat), sdk::to_json(expected));
}

TEST(LineMapper, FlatOmitsAbsentAndNullFields) {
  std::string out = mapped_json(R"({"record_id": "R1", "visit_time": "T", "mrn": "M1", "note": null})");
  EXPECT_EQ(out, R"({"source_record_id":"R1","event_type":"visit","occurred_at":"T","subject":{"mrn":"M1"},)"
                 R"("encounter":{"visit_type":"outpatient","started_at":"T"}})");
}

TEST(LineMapper, FlatGenderCodes) {
  auto gender = [](std::string_view g) {
    std::string line = R"({"record_id": "R", "visit_time": "T", "name": "N", "gender": ")" + std::string(g) + "\"}";
    MapResult r = map_line(line, Format::detect, kMax);
    EXPECT_TRUE(r.ok()) << r.reason;
    const sdk::Value* v = r.record.at_path("patient.gender");
    return v && v->is_string() ? v->as_string() : std::string("<none>");
  };
  EXPECT_EQ(gender("M"), "male");
  EXPECT_EQ(gender("F"), "female");
  EXPECT_EQ(gender("X"), "unknown");
  EXPECT_EQ(gender(""), "unknown");
}

TEST(LineMapper, FlatIntegerChargeKept) {
  MapResult r =
      map_line(R"({"record_id": "R", "visit_time": "T", "mrn": "M", "charge_cny": 20})", Format::detect, kMax);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(sdk::to_json(*r.record.find("charges")), R"([{"amount_cny":20,"category":"visit","charged_at":"T"}])");
}

TEST(LineMapper, ProfilePassesThroughUnchanged) {
  constexpr std::string_view kProfile =
      R"({"source_record_id":"E1","event_type":"registration","occurred_at":"2026-01-01T08:00:00+08:00",)"
      R"("subject":{"mrn":"X1","name":"张三"},"patient":{"gender":"F"},"custom":[1,2.5,true,null]})";
  EXPECT_EQ(mapped_json(kProfile), kProfile);
  EXPECT_EQ(mapped_json(kProfile, Format::profile), kProfile);
  // Forced profile format does not look at the shape.
  EXPECT_EQ(mapped_json(R"({"record_id":"R","name":"N"})", Format::profile), R"({"record_id":"R","name":"N"})");
}

TEST(LineMapper, ProfileWinsWhenBothShapesMatch) {
  EXPECT_EQ(mapped_json(R"({"event_type":"visit","record_id":"R","name":"N"})"),
            R"({"event_type":"visit","record_id":"R","name":"N"})");
}

TEST(LineMapper, BlankLinesAreSkipped) {
  for (std::string_view line : {"", "   ", "\t \r", "\r"})
    EXPECT_EQ(map_line(line, Format::detect, kMax).kind, MapResult::Kind::blank) << '"' << line << '"';
}

TEST(LineMapper, TrailingCarriageReturnIgnored) {
  EXPECT_EQ(mapped_json("{\"event_type\":\"visit\"}\r"), R"({"event_type":"visit"})");
}

TEST(LineMapper, NotJson) {
  EXPECT_TRUE(error_of("{\"record_id\": ").starts_with("not JSON: ")) << error_of("{\"record_id\": ");
  EXPECT_TRUE(error_of("hello").starts_with("not JSON: "));
  EXPECT_TRUE(error_of("{\"a\":1} trailing").starts_with("not JSON: "));
  EXPECT_TRUE(error_of("\"\xff\xfe\"").starts_with("not JSON: "));  // not UTF-8
}

TEST(LineMapper, NotAnObject) {
  EXPECT_EQ(error_of("[1,2]"), "not a JSON object (array)");
  EXPECT_EQ(error_of("42"), "not a JSON object (integer)");
  EXPECT_EQ(error_of("\"s\"", Format::flat), "not a JSON object (string)");
  EXPECT_EQ(error_of("null", Format::profile), "not a JSON object (null)");
}

TEST(LineMapper, TooLong) {
  std::string line = R"({"event_type":")" + std::string(2000, 'x') + "\"}";
  EXPECT_EQ(error_of(line, Format::detect, 1024),
            "line of " + std::to_string(line.size()) + " bytes exceeds max_line_bytes (1024)");
  EXPECT_TRUE(map_line(line, Format::detect, line.size()).ok());
}

TEST(LineMapper, UnknownShape) {
  EXPECT_TRUE(error_of(R"({"foo": 1})").starts_with("unrecognized record shape"));
  EXPECT_TRUE(error_of(R"({"record_id": "R"})").starts_with("unrecognized record shape"));
}

TEST(LineMapper, WrongTypesNameTheFieldNotTheValue) {
  EXPECT_EQ(error_of(R"({"record_id": "R", "visit_time": "T", "name": "N", "charge_cny": "12.5"})"),
            "flat record: field 'charge_cny' must be a number, not string");
  EXPECT_EQ(error_of(R"({"record_id": "R", "visit_time": "T", "name": 31415})"),
            "flat record: field 'name' must be a string, not integer");
  EXPECT_EQ(error_of(R"({"record_id": "R", "visit_time": "T", "mrn": "M", "id_number": ["secret"]})"),
            "flat record: field 'id_number' must be a string, not array");
  EXPECT_EQ(error_of(R"({"record_id": 7, "visit_time": "T", "mrn": "M"})"),
            "flat record: field 'record_id' must be a string, not integer");
  std::string reason = error_of(R"({"record_id": "R", "visit_time": "T", "phone": 13812345678, "name": "N"})");
  EXPECT_EQ(reason.find("13812345678"), std::string::npos) << reason;
}

TEST(LineMapper, MissingRequiredFields) {
  EXPECT_EQ(error_of(R"({"visit_time": "T", "mrn": "M"})", Format::flat),
            "flat record: missing required field 'record_id'");
  EXPECT_EQ(error_of(R"({"record_id": null, "visit_time": "T", "mrn": "M"})", Format::flat),
            "flat record: missing required field 'record_id'");
  EXPECT_EQ(error_of(R"({"record_id": "R", "mrn": "M"})"), "flat record: missing required field 'visit_time'");
}

TEST(LineMapper, DuplicateKeysRefused) {
  // A second subject.name would survive a desensitizer that removes the first.
  EXPECT_EQ(error_of(R"({"event_type":"visit","subject":{"name":"A","mrn":"M","name":"B"}})"),
            "duplicate key 'subject.name'");
  EXPECT_EQ(error_of(R"({"record_id":"R","visit_time":"T","name":"A","name":"B"})"), "duplicate key 'name'");
  EXPECT_EQ(error_of(R"({"event_type":"v","notes":[{"text":"a"},{"text":"b","text":"c"}]})"),
            "duplicate key 'notes[].text'");
  EXPECT_TRUE(map_line(R"({"event_type":"v","a":{"x":1},"b":{"x":1}})", Format::detect, kMax).ok());
}

TEST(LineMapper, ParseFormat) {
  EXPECT_EQ(parse_format("auto"), Format::detect);
  EXPECT_EQ(parse_format("profile"), Format::profile);
  EXPECT_EQ(parse_format("flat"), Format::flat);
  EXPECT_FALSE(parse_format("csv"));
}

}  // namespace
}  // namespace medgate::file_adapter
