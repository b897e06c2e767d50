// One delivery -> the column values of its row. A plain function with no I/O,
// so unit tests check the mapping without a server.
#pragma once

#include <optional>
#include <string>

#include "medgate/sdk/plugin.h"

namespace medgate::postgres_adapter {

// Column values as text, in the order of kRowColumns (upsert_statement.h);
// an empty optional is SQL NULL. The database converts occurred_at to
// timestamptz and payload to jsonb, and refuses values it cannot convert.
struct RecordRow {
  std::string idempotency_key;
  std::optional<std::string> record_id;
  std::optional<std::string> source;
  std::optional<std::string> event_type;
  std::optional<std::string> patient_token;
  std::optional<std::string> occurred_at;
  const std::string* payload = nullptr;  // the delivery's payload, as delivered
};

struct RowResult {
  bool ok = false;
  RecordRow row;
  std::string reason;  // when !ok: why the record can never be stored; names no values
};

// The envelope members of the desensitized profile record (record_id, source,
// event_type, occurred_at) become columns when they are strings; absent or
// mistyped ones are NULL (the whole record is in `payload` anyway). The patient
// token is the delivery's partition key, else the payload's patient.token.
// A payload that is not a JSON object, or an empty idempotency key, is refused.
// The result points into `delivery`, which must outlive it.
RowResult make_row(const sdk::Delivery& delivery);

}  // namespace medgate::postgres_adapter
