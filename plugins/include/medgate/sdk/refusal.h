// What a source that answers its peers says when the gateway refuses a batch
// (SourceContext::emit returned a non-ok status: the spool is full, or the
// records could not be made durable). Every ingress answers the same way, as
// docs/durability.md documents:
//
//   HTTP  503 Service Unavailable, Retry-After: N, body = message
//   HL7   MSA-1 = AR (application reject: not processed, send again later),
//         ERR-3 = 207 (HL7 table 0357: application internal error), text = message
//
// The peer must not treat the input as accepted; nothing of it was kept.
// Content errors of single records are not refusals: they come back in
// EmitResult::rejected, and the source answers those itself (HTTP 4xx, AE).
#pragma once

#include <string>

#include "medgate/sdk/status.h"

namespace medgate::sdk {

struct Refusal {
  int http_status = 503;         // 503 while the gateway cannot take input now; 500 for an internal error
  int retry_after_seconds = 0;   // for HTTP Retry-After (0: send no Retry-After)
  std::string hl7_ack_code;      // "AR"
  std::string hl7_error_code;    // HL7 table 0357 code for ERR-3, e.g. "207"
  std::string message;           // the cause, from the gateway: safe to send back (no record data)
};

// The answer for a refused emit(); `retry_after_seconds` is what a sender is
// told to wait before trying again when the condition is temporary.
Refusal refusal_for(const Status& refused, int retry_after_seconds = 5);

}  // namespace medgate::sdk
