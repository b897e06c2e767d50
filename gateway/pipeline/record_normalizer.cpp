#include "pipeline/record_normalizer.h"

#include <array>

#include "crypto/digest.h"

namespace medgate::pipeline {
namespace {
constexpr std::array<std::string_view, 13> kEventTypes = {
    "registration", "visit",  "admission", "transfer", "discharge", "appointment", "result",
    "charge",       "message", "review",   "consent",  "merge",     "update"};
constexpr std::size_t kMaxSourceRecordId = 256;

sdk::Status require_string(const sdk::Value& body, const char* key, const sdk::Value*& out) {
  out = body.find(key);
  if (!out) return sdk::Status::Invalid(std::string("missing required field '") + key + "'");
  if (!out->is_string()) return sdk::Status::Invalid(std::string("field '") + key + "' must be a string, not " +
                                                      sdk::type_name(out->type()));
  if (out->as_string().empty()) return sdk::Status::Invalid(std::string("field '") + key + "' is empty");
  return sdk::Status::Ok();
}
}  // namespace

bool is_known_event_type(std::string_view t) {
  for (auto k : kEventTypes)
    if (k == t) return true;
  return false;
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
  const sdk::Value *id = nullptr, *type = nullptr, *at = nullptr;
  if (auto s = require_string(body, "source_record_id", id); !s.ok()) return s;
  if (id->as_string().size() > kMaxSourceRecordId)
    return sdk::Status::Invalid("source_record_id longer than " + std::to_string(kMaxSourceRecordId) + " bytes");
  if (auto s = require_string(body, "event_type", type); !s.ok()) return s;
  if (!is_known_event_type(type->as_string()))
    return sdk::Status::Invalid("unknown event_type (see docs/profile-schema.md for the list)");
  if (auto s = require_string(body, "occurred_at", at); !s.ok()) return s;
  for (const char* facet : {"subject", "patient", "encounter", "channels", "engagement", "feedback"})
    if (const sdk::Value* v = body.find(facet); v && !v->is_object())
      return sdk::Status::Invalid(std::string("field '") + facet + "' must be an object");
  for (const char* facet : {"diagnoses", "procedures", "observations", "charges", "consent", "notes"})
    if (const sdk::Value* v = body.find(facet); v && !v->is_array())
      return sdk::Status::Invalid(std::string("field '") + facet + "' must be an array");
  for (const char* reserved : {"record_id", "source", "ingested_at", "schema_version"})
    if (body.find(reserved)) return sdk::Status::Invalid(std::string("field '") + reserved + "' is set by the gateway");

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
