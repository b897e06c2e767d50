#include "record_row.h"

#include "medgate/sdk/json.h"

namespace medgate::postgres_adapter {
namespace {

std::optional<std::string> string_member(const sdk::Value& v, std::string_view path) {
  const sdk::Value* m = v.at_path(path);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return m->as_string();
}

}  // namespace

RowResult make_row(const sdk::Delivery& delivery) {
  RowResult r;
  if (delivery.idempotency_key.empty()) {
    r.reason = "the delivery has an empty idempotency key";
    return r;
  }
  sdk::Value record;
  // The gateway wrote the payload; only PostgreSQL's own limits apply to it.
  sdk::JsonLimits limits;
  limits.max_bytes = delivery.payload.size() + 1;
  limits.max_depth = 1000;
  if (sdk::Status s = sdk::parse_json(delivery.payload, record, limits); !s.ok()) {
    r.reason = "payload is not JSON: " + s.message();
    return r;
  }
  if (!record.is_object()) {
    r.reason = std::string("payload is a JSON ") + sdk::type_name(record.type()) + ", not an object";
    return r;
  }
  r.row.idempotency_key = delivery.idempotency_key;
  r.row.record_id = string_member(record, "record_id");
  r.row.source = string_member(record, "source");
  r.row.event_type = string_member(record, "event_type");
  r.row.occurred_at = string_member(record, "occurred_at");
  if (!delivery.partition_key.empty())
    r.row.patient_token = delivery.partition_key;
  else
    r.row.patient_token = string_member(record, "patient.token");
  // libpq passes text parameters as C strings: a NUL would cut a value short
  // without an error, and PostgreSQL cannot store one in text or jsonb anyway.
  for (const std::optional<std::string>* v :
       {&r.row.record_id, &r.row.source, &r.row.event_type, &r.row.occurred_at, &r.row.patient_token})
    if (*v && (*v)->find('\0') != std::string::npos) {
      r.reason = "an envelope member or the partition key contains a NUL character, which PostgreSQL cannot store";
      return r;
    }
  if (r.row.idempotency_key.find('\0') != std::string::npos) {
    r.reason = "the idempotency key contains a NUL character";
    return r;
  }
  r.row.payload = &delivery.payload;
  r.ok = true;
  return r;
}

}  // namespace medgate::postgres_adapter
