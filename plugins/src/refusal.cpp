#include "medgate/sdk/refusal.h"

namespace medgate::sdk {

Refusal refusal_for(const Status& refused, int retry_after_seconds) {
  Refusal r;
  r.hl7_ack_code = "AR";
  r.hl7_error_code = "207";
  r.message = refused.message().empty() ? std::string(status_code_name(refused.code())) : refused.message();
  switch (refused.code()) {
    case StatusCode::resource_exhausted:  // spool full: accepted again once targets catch up
    case StatusCode::unavailable:         // not durable now (disk, audit log): may pass on retry
      r.http_status = 503;
      r.retry_after_seconds = retry_after_seconds > 0 ? retry_after_seconds : 1;
      break;
    default:
      r.http_status = 500;
      r.retry_after_seconds = 0;
      break;
  }
  return r;
}

}  // namespace medgate::sdk
