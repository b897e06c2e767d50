// Status: how every call across the plugin boundary reports failure.
// Expected failures are values, not exceptions (as in Envoy's data path).
#pragma once

#include <string>
#include <utility>

namespace medgate::sdk {

enum class StatusCode {
  ok = 0,
  invalid_argument,  // bad input or config: retrying will not help
  unavailable,       // transient: retry later
  resource_exhausted,
  failed_precondition,
  internal,          // a bug or an exception caught at the boundary
};

const char* status_code_name(StatusCode code) noexcept;

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status Invalid(std::string m) { return {StatusCode::invalid_argument, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::unavailable, std::move(m)}; }
  static Status Exhausted(std::string m) { return {StatusCode::resource_exhausted, std::move(m)}; }
  static Status Precondition(std::string m) { return {StatusCode::failed_precondition, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::internal, std::move(m)}; }

  bool ok() const noexcept { return code_ == StatusCode::ok; }
  StatusCode code() const noexcept { return code_; }
  const std::string& message() const noexcept { return message_; }
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

}  // namespace medgate::sdk
