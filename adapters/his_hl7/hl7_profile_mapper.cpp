#include "hl7_profile_mapper.h"

#include <array>
#include <span>

#include "hl7_datetime.h"
#include "hl7_encounter.h"
#include "hl7_facets.h"
#include "hl7_segment_reader.h"
#include "hl7_subject.h"
#include "subject_members.h"

namespace medgate::his_hl7 {
namespace {

using sdk::Value;

struct MessageKind {
  std::string_view code, trigger;
  const char* event_type;
  const char* cancelled_event = nullptr;  // A11/A13: encounter.cancelled_event
};

constexpr std::array<MessageKind, 13> kKinds{{
    {"ADT", "A01", "admission"},
    {"ADT", "A02", "transfer"},
    {"ADT", "A03", "discharge"},
    {"ADT", "A04", "registration"},
    {"ADT", "A08", "update"},
    {"ADT", "A11", "update", "admission"},  // cancel admit
    {"ADT", "A13", "update", "discharge"},  // cancel discharge
    {"ADT", "A28", "registration"},         // add person information
    {"ADT", "A31", "update"},               // update person information
    {"ADT", "A40", "merge"},                // merge patient identifier list: PID + MRG
    {"ORU", "R01", "result"},
    {"DFT", "P03", "charge"},
    {"SIU", "S12", "appointment"},
}};

constexpr std::size_t kMaxSourceRecordId = 256;  // bytes, input contract
constexpr std::size_t kMaxSourceSystem = 64;

// 2.1 .. 2.8 with any further parts (2.3.1, 2.5.1, 2.8.2).
bool is_supported_version(std::string_view v) {
  if (v.size() < 3 || v[0] != '2' || v[1] != '.' || v[2] < '1' || v[2] > '8') return false;
  for (std::size_t i = 3; i < v.size(); ++i) {
    if (v[i] != '.' || i + 1 == v.size()) return false;
    while (i + 1 < v.size() && v[i + 1] >= '0' && v[i + 1] <= '9') ++i;
    if (v[i] == '.') return false;
  }
  return true;
}

std::string supported_list() {
  std::string out;
  for (const std::string& m : supported_messages()) out += (out.empty() ? "" : ", ") + m;
  return out;
}

Result required(const SegmentAt& msh, std::size_t field, std::size_t component, const char* what,
                const std::string& value) {
  if (!value.empty()) return {};
  return msh.failure(kRequiredFieldMissing, field, std::string("required field ") + what + " is empty",
                     component ? 1 : 0, component);
}

// Version, then type, then trigger: what the message is decides what its fields mean.
Result find_kind(const sdk::hl7::Message& m, std::span<const SegmentAt> segments, const MessageKind*& kind,
                 bool& unsupported) {
  const SegmentAt& msh = segments.front();
  std::string version = m.version();
  if (auto e = required(msh, 12, 0, "MSH-12 (version id)", version); !e.ok()) return e;
  if (!is_supported_version(version)) {
    unsupported = true;
    return msh.failure(kUnsupportedVersionId, 12,
                       "version " + shown_code(version) + " is not supported (accepted: 2.1 to 2.8.x)");
  }
  std::string code = m.message_code();
  if (auto e = required(msh, 9, 1, "MSH-9.1 (message code)", code); !e.ok()) return e;
  std::string trigger = m.trigger_event();
  // Before v2.3 an ADT message could carry its trigger in EVN-1 only.
  if (const SegmentAt* evn = find_segment(segments, "EVN"); trigger.empty() && evn) trigger = evn->text(1);
  bool known_code = false;
  for (const MessageKind& k : kKinds) {
    if (k.code != code) continue;
    known_code = true;
    if (k.trigger == trigger) kind = &k;
  }
  if (!known_code) {
    unsupported = true;
    return msh.failure(kUnsupportedMessageType, 9,
                       "message type " + shown_code(code) + " is not supported (supported: " + supported_list() + ")",
                       1, 1);
  }
  if (auto e = required(msh, 9, 2, "MSH-9.2 (trigger event)", trigger); !e.ok()) return e;
  if (!kind) {
    unsupported = true;
    return msh.failure(
        kUnsupportedEventCode, 9,
        "event " + code + "^" + shown_code(trigger) + " is not supported (supported: " + supported_list() + ")", 1, 2);
  }
  return {};
}

// "<MSH-3>^<MSH-4>^<MSH-10>", or MSH-10 alone when MSH-3 and MSH-4 are empty.
Result source_record_id(const sdk::hl7::Message& m, const SegmentAt& msh, std::string& out) {
  std::string control_id = m.control_id();
  if (auto e = required(msh, 10, 0, "MSH-10 (message control id)", control_id); !e.ok()) return e;
  std::string application = m.sending_application(), facility = m.sending_facility();
  out = application.empty() && facility.empty() ? control_id : application + "^" + facility + "^" + control_id;
  return {};
}

// The second and further patient of a message get "^2", "^3", ...
Result patient_record_id(const SegmentAt& msh, const std::string& message_id, std::size_t patient, std::string& out) {
  out = patient == 1 ? message_id : message_id + "^" + std::to_string(patient);
  if (out.size() <= kMaxSourceRecordId) return {};
  return msh.failure(kDataTypeError, 10,
                     "source record id <MSH-3>^<MSH-4>^<MSH-10> is " + std::to_string(out.size()) +
                         " bytes; the input contract allows " + std::to_string(kMaxSourceRecordId));
}

// EVN-2 (recorded date/time), else MSH-7.
Result occurred_at(std::span<const SegmentAt> segments, const MappingOptions& options, std::string& out) {
  if (const SegmentAt* evn = find_segment(segments, "EVN"))
    if (auto e = evn->timestamp(2, 1, options.default_utc_offset, out); !e.ok() || !out.empty()) return e;
  const SegmentAt& msh = segments.front();
  if (auto e = msh.timestamp(7, 1, options.default_utc_offset, out); !e.ok()) return e;
  return required(msh, 7, 0, "MSH-7 (date/time of message; EVN-2 is empty too)", out);
}

// The facets of one patient: the segments from its PID to the next PID.
// Segments before the first PID (MSH, EVN, SCH) are read message-wide.
Result map_patient(const MessageKind& kind, std::span<const SegmentAt> all, std::span<const SegmentAt> group,
                   const MappingOptions& options, Value& record, Notices& left_out) {
  SubjectBuilder subject(options);
  Value patient, encounter;
  ItemList diagnoses, procedures, observations, charges, notes;
  if (auto e = subject.add_patient(group.front(), patient); !e.ok()) return e;
  const bool merge = kind.code == "ADT" && kind.trigger == "A40";
  const char* note_kind = kind.code == "ORU" ? "result_comment" : "comment";
  const SegmentAt* obr = nullptr;
  bool has_mrg = false;
  for (const SegmentAt& s : group.subspan(1)) {
    const std::string& id = s.id();
    Result e;
    if (id == "PV1")
      e = map_visit(s, options, encounter, subject);
    else if (id == "DG1")
      e = map_diagnosis(s, options, diagnoses, left_out);
    else if (id == "PR1")
      e = map_procedure(s, options, procedures, left_out);
    else if (id == "OBR")
      obr = &s;
    else if (id == "OBX")
      e = map_observation(s, obr, options, observations, notes, left_out);
    else if (id == "NTE")
      map_note(s, note_kind, notes);
    else if (id == "FT1")
      e = map_charge(s, options, charges, left_out);
    else if (id == "NK1")
      e = subject.add_next_of_kin(s);
    else if (id == "MRG" && merge && !has_mrg) {
      e = subject.add_prior(s);
      has_mrg = true;
    }
    if (!e.ok()) return e;
  }
  if (merge && !has_mrg) return missing_segment("MRG", "MRG segment missing (ADT^A40 needs one after each PID)");
  if (kind.code == "SIU")
    if (auto e = map_schedule(all, options, encounter, subject); !e.ok()) return e;
  if (kind.cancelled_event) encounter["cancelled_event"] = kind.cancelled_event;
  if (!encounter.is_null()) encounter["source_system"] = options.source_system;

  if (Value s = subject.take(); !s.is_null()) record["subject"] = std::move(s);
  if (!patient.is_null()) record["patient"] = std::move(patient);
  if (!encounter.is_null()) record["encounter"] = std::move(encounter);
  std::pair<const char*, ItemList*> lists[] = {{"diagnoses", &diagnoses},
                                               {"procedures", &procedures},
                                               {"observations", &observations},
                                               {"charges", &charges},
                                               {"notes", &notes}};
  for (auto& [name, items] : lists)
    if (!items->empty()) record[name] = Value(std::move(*items));
  return {};
}

}  // namespace

MappingOptions default_mapping_options() {
  MappingOptions o;
  o.identifier_types = {{"MR", "mrn"},
                        {"PI", "mrn"},
                        {"PT", "mrn"},
                        {"NNCHN", "resident_id"},
                        {"NN@CHN", "resident_id"},
                        {"JHN", "insurance_number"},
                        {"SS", "insurance_number"},
                        {"HC", "insurance_number"}};
  return o;
}

sdk::Status check_mapping_options(const MappingOptions& options) {
  if (!is_rfc3339_offset(options.default_utc_offset))
    return sdk::Status::Invalid("default_utc_offset must be Z or +HH:MM / -HH:MM (e.g. +08:00)");
  if (options.source_system.empty() || characters(options.source_system) > kMaxSourceSystem)
    return sdk::Status::Invalid("source_system must be 1 to 64 characters");
  if (options.identifier_types.empty())
    return sdk::Status::Invalid("identifier_types is empty: no PID-3 identifier would be accepted");
  for (const auto& [type, member] : options.identifier_types) {
    if (!profile_mapping::is_identifier_member(member))
      return sdk::Status::Invalid("identifier_types: '" + type + "' maps to '" + member +
                                  "', which is not an identifier member of subject (a lowercase name such as mrn, "
                                  "resident_id, insurance_number; not address, birth_date, *_others or prior_*)");
  }
  return sdk::Status::Ok();
}

const std::vector<std::string>& supported_messages() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const MessageKind& k : kKinds) names.push_back(std::string(k.code) + "^" + std::string(k.trigger));
    return names;
  }();
  return kNames;
}

MappingResult map_message(const sdk::hl7::Message& message, const MappingOptions& options) {
  MappingResult r;
  std::vector<SegmentAt> segments = locate_segments(message);
  if (segments.empty() || segments.front().id() != "MSH") {
    r.error = missing_segment("MSH", "MSH segment missing");
    return r;
  }
  const MessageKind* kind = nullptr;
  std::string id, at;
  if ((r.error = find_kind(message, segments, kind, r.unsupported)).ok() &&
      (r.error = source_record_id(message, segments.front(), id)).ok())
    r.error = occurred_at(segments, options, at);
  if (!r.error.ok()) return r;

  std::vector<std::size_t> pids;
  for (std::size_t i = 0; i < segments.size(); ++i)
    if (segments[i].id() == "PID") pids.push_back(i);
  if (pids.empty()) {
    r.error = missing_segment("PID", "PID segment missing");
    return r;
  }
  std::vector<sdk::Record> records;
  for (std::size_t p = 0; p < pids.size(); ++p) {
    std::size_t end = p + 1 < pids.size() ? pids[p + 1] : segments.size();
    Value record = Value::object();
    std::string record_id;
    if (r.error = patient_record_id(segments.front(), id, p + 1, record_id); !r.error.ok()) return r;
    record["source_record_id"] = std::move(record_id);
    record["event_type"] = kind->event_type;
    record["occurred_at"] = at;
    std::span<const SegmentAt> group(segments.begin() + pids[p], segments.begin() + end);
    if (r.error = map_patient(*kind, segments, group, options, record, r.left_out); !r.error.ok()) return r;
    records.push_back({std::move(record)});
  }
  r.records = std::move(records);
  return r;
}

}  // namespace medgate::his_hl7
