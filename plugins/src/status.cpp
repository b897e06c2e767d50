#include "medgate/sdk/status.h"

namespace medgate::sdk {

const char* status_code_name(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::ok: return "ok";
    case StatusCode::invalid_argument: return "invalid argument";
    case StatusCode::unavailable: return "unavailable";
    case StatusCode::resource_exhausted: return "resource exhausted";
    case StatusCode::failed_precondition: return "failed precondition";
    case StatusCode::internal: return "internal error";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  return std::string(status_code_name(code_)) + ": " + message_;
}

}  // namespace medgate::sdk
