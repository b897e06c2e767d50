#include "audit/audit_line.h"

#include "medgate/sdk/json.h"
#include "medgate/sdk/value.h"

namespace medgate::audit {
namespace {

constexpr std::string_view kHashMember = ",\"hash\":\"";
constexpr std::size_t kHexChars = 64;
// ,"hash":"<64 hex>"}
constexpr std::size_t kHashTail = kHashMember.size() + kHexChars + 2;

bool is_hash(std::string_view s) {
  if (s.size() != kHexChars) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Typed member readers: false (and `why` set) when absent or of another type.
class Members {
 public:
  Members(const sdk::Value& obj, std::string& why) : obj_(obj), why_(why) {}

  bool text(std::string_view key, std::string& out, bool allow_empty = true) {
    const sdk::Value* v = obj_.find(key);
    if (!v || !v->is_string()) return fail(key, "a string");
    if (!allow_empty && v->as_string().empty()) return fail(key, "a non-empty string");
    out = v->as_string();
    return true;
  }
  bool integer(std::string_view key, std::int64_t& out, std::int64_t min) {
    const sdk::Value* v = obj_.find(key);
    if (!v || !v->is_int() || v->as_int() < min) return fail(key, "an integer >= " + std::to_string(min));
    out = v->as_int();
    return true;
  }
  bool count(std::string_view key, std::uint64_t& out, std::int64_t min = 1) {
    std::int64_t n = 0;
    if (!integer(key, n, min)) return false;
    out = static_cast<std::uint64_t>(n);
    return true;
  }
  bool hash(std::string_view key, std::string& out) {
    if (!text(key, out)) return false;
    return is_hash(out) || fail(key, "64 lowercase hex digits");
  }
  bool object(std::string_view key, const sdk::Value*& out) {
    out = obj_.find(key);
    return (out && out->is_object()) || fail(key, "an object");
  }

 private:
  bool fail(std::string_view key, const std::string& what) {
    why_ = "\"" + std::string(key) + "\" must be " + what;
    return false;
  }
  const sdk::Value& obj_;
  std::string& why_;
};

bool read_fields(const sdk::Value& doc, std::vector<FieldRecord>& out, std::string& why) {
  const sdk::Value* fields = doc.find("fields");
  if (!fields || !fields->is_array()) {
    why = "\"fields\" must be a list";
    return false;
  }
  for (const auto& f : fields->as_array()) {
    if (!f.is_object()) {
      why = "each of \"fields\" must be an object";
      return false;
    }
    FieldRecord r;
    Members m(f, why);
    if (!m.text("path", r.path, false) || !m.text("method", r.method, false)) return false;
    if (f.find("key_id") && !m.text("key_id", r.key_id, false)) return false;
    if (const sdk::Value* found = f.find("found")) {
      if (!found->is_object()) {
        why = "\"found\" must be an object of counts";
        return false;
      }
      for (const auto& [type, n] : found->as_object()) {
        if (!n.is_int() || n.as_int() < 0) {
          why = "\"found\" counts must be integers >= 0";
          return false;
        }
        r.found.emplace_back(type, n.as_int());
      }
    }
    out.push_back(std::move(r));
  }
  return true;
}

bool read_type(const sdk::Value& doc, AuditLine& out, std::string& why) {
  Members m(doc, why);
  switch (out.type) {
    case EntryType::segment:
      return m.text("format", out.header.format, false) && m.count("segment", out.header.segment);
    case EntryType::record: {
      auto& r = out.record;
      return m.text("record_id", r.record_id) && m.text("source", r.source) && m.text("target", r.target) &&
             m.text("patient_token", r.patient_token) && m.text("policy", r.policy) &&
             m.integer("policy_version", r.policy_version, 0) && read_fields(doc, r.fields, why);
    }
    case EntryType::checkpoint: {
      auto& c = out.checkpoint;
      const sdk::Value* covers = nullptr;
      if (!m.text("reason", c.reason, false) || !m.object("covers", covers)) return false;
      Members cm(*covers, why);
      return cm.count("first_seq", c.first_seq) && cm.count("last_seq", c.last_seq, 0) && m.text("key", c.key, false) &&
             m.text("sig", c.sig, false);
    }
    case EntryType::retention: {
      auto& r = out.retention;
      const sdk::Value *removed = nullptr, *kept = nullptr;
      if (!m.object("removed", removed) || !m.object("kept", kept)) return false;
      Members rm(*removed, why), km(*kept, why);
      return rm.count("first_segment", r.first_segment) && rm.count("last_segment", r.last_segment) &&
             rm.count("first_seq", r.first_seq) && rm.count("last_seq", r.last_seq) &&
             km.count("segment", r.kept_segment) && km.count("seq", r.kept_seq) && km.hash("prev", r.kept_prev) &&
             m.text("key", r.key, false) && m.text("sig", r.sig, false);
    }
    case EntryType::dlq_replay:
    case EntryType::dlq_drop: {
      auto& d = out.dead_letters;
      return m.text("target", d.target, false) && m.text("selection", d.selection, false) &&
             m.integer("keys", d.keys, 0) && m.integer("count", d.count, 0) && m.text("role", d.role, false);
    }
    case EntryType::quarantine_open: {
      auto& q = out.quarantine;
      return m.text("source", q.source, false) && m.count("entry", q.entry) &&
             m.text("entry_time", q.entry_time, false) && m.text("role", q.role, false);
    }
    case EntryType::quarantine_drop: {
      auto& q = out.quarantine_drop;
      return m.text("source", q.source, false) && m.text("selection", q.selection, false) &&
             m.integer("count", q.count, 0) && m.text("role", q.role, false);
    }
    case EntryType::handle_open: {
      auto& h = out.handle;
      return m.text("target", h.target, false) && m.text("record_id", h.record_id, false) &&
             m.text("source", h.source) && m.text("patient_token", h.patient_token) &&
             m.text("field", h.field, false) && m.text("key_id", h.key_id, false);
    }
  }
  return false;
}

bool type_from_name(const std::string& name, EntryType& out) {
  for (EntryType t : {EntryType::segment, EntryType::record, EntryType::checkpoint, EntryType::retention,
                      EntryType::dlq_replay, EntryType::dlq_drop, EntryType::quarantine_open,
                      EntryType::quarantine_drop, EntryType::handle_open})
    if (name == entry_type_name(t)) {
      out = t;
      return true;
    }
  return false;
}

}  // namespace

const char* entry_type_name(EntryType t) noexcept {
  switch (t) {
    case EntryType::segment:
      return "segment";
    case EntryType::record:
      return "record";
    case EntryType::checkpoint:
      return "checkpoint";
    case EntryType::retention:
      return "retention";
    case EntryType::dlq_replay:
      return "dlq_replay";
    case EntryType::dlq_drop:
      return "dlq_drop";
    case EntryType::quarantine_open:
      return "quarantine_open";
    case EntryType::quarantine_drop:
      return "quarantine_drop";
    case EntryType::handle_open:
      return "handle_open";
  }
  return "?";
}

bool is_signed(EntryType t) noexcept {
  return t == EntryType::checkpoint || t == EntryType::retention;
}

sdk::Status parse_audit_line(std::string_view line, AuditLine& out) {
  out = AuditLine{};
  if (line.size() < kHashTail + 2 || line.front() != '{' || line.substr(line.size() - 2) != "\"}" ||
      line.substr(line.size() - kHashTail, kHashMember.size()) != kHashMember)
    return sdk::Status::Invalid("the line does not end with its \"hash\" member");
  std::string_view hash = line.substr(line.size() - kHashTail + kHashMember.size(), kHexChars);
  if (!is_hash(hash)) return sdk::Status::Invalid("\"hash\" must be 64 lowercase hex digits");
  out.body_size = line.size() - kHashTail;

  sdk::Value doc;
  sdk::JsonLimits limits;
  limits.max_bytes = 4u << 20;
  limits.max_depth = 8;
  if (sdk::Status s = sdk::parse_json(line, doc, limits); !s.ok())
    return sdk::Status::Invalid("not valid JSON: " + s.message());
  if (!doc.is_object()) return sdk::Status::Invalid("not a JSON object");
  std::string why;
  Members m(doc, why);
  std::int64_t seq = 0;
  if (!m.integer("seq", seq, 1) || !m.text("type", out.type_name, false) || !m.text("time", out.time, false) ||
      !m.hash("prev", out.prev) || !m.hash("hash", out.hash))
    return sdk::Status::Invalid(why);
  out.seq = static_cast<std::uint64_t>(seq);
  // "prev" is the member right before "hash", so the hashed bytes end with it.
  const std::string prev_member = ",\"prev\":\"" + out.prev + "\"";
  std::string_view body = line.substr(0, out.body_size);
  if (out.hash != hash || body.size() < prev_member.size() ||
      body.substr(body.size() - prev_member.size()) != prev_member)
    return sdk::Status::Invalid("\"prev\" and \"hash\" must be the last two members");
  if (!type_from_name(out.type_name, out.type))
    return sdk::Status::Invalid("unknown entry type '" + out.type_name.substr(0, 40) + "'");
  if (!read_type(doc, out, why)) return sdk::Status::Invalid(out.type_name + " entry: " + why);
  return sdk::Status::Ok();
}

}  // namespace medgate::audit
