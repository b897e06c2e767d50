// What makes an HTTP target request verifiable: the HMAC-SHA256 signature
// over "TIMESTAMP.BODY" and the batch id. The receiver's side of the recipe is
// in docs/targets/http.md; both sides must stay in step with it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/plugin.h"

namespace medgate::http_adapter {

// Raw 32-byte HMAC-SHA256(key, data).
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string sha256(std::string_view data);
std::string to_hex(std::string_view bytes);  // lowercase

// The X-Medgate-Signature value: "v1=" + hex(HMAC-SHA256(secret, TIMESTAMP "." BODY)).
std::string sign_request(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

// The X-Medgate-Batch-Id value: 32 hex digits of SHA-256 over the batch's
// idempotency keys (each followed by '\n'), so a batch that is sent again
// with the same records carries the same id.
std::string batch_id(const std::vector<const sdk::Delivery*>& records);

}  // namespace medgate::http_adapter
