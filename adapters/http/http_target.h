// The http target: POSTs batches as {"records":[...]} JSON, signed with
// HMAC-SHA256 (see request_signer.h), over one kept-alive connection.
// Answers map to outcomes per record: 2xx delivered; 5xx, 408, 429,
// 401/403/404/405/407 (the receiver refused the request, not a record) and
// transport failures retry; 3xx are rejected (redirects are not followed);
// other 4xx are narrowed down by splitting the batch in halves so that only
// the records the receiver refuses on their own are rejected.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_connection.h"
#include "http_target_options.h"
#include "medgate/sdk/plugin.h"

namespace medgate::http_adapter {

// What an HTTP status means for the records of the request.
enum class StatusClass { delivered, retry, redirect, refused };
StatusClass classify_status(int status);

// Retry-After as delta-seconds or an HTTP-date, relative to `now`; nullopt
// when absent or unparsable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::time_t now);

// At most `max` bytes of a response body for a reason text: control
// characters become spaces, a cut never splits a UTF-8 sequence.
std::string body_excerpt(std::string_view body, std::size_t max = 200);

class HttpTarget : public sdk::Target {
 public:
  // A Retry-After longer than this is waited only this long inside deliver();
  // the host's backoff follows.
  static constexpr std::chrono::seconds kMaxRetryAfterWait{60};

  explicit HttpTarget(HttpTargetOptions options);
  ~HttpTarget() override;

  // Reads the secret (and bearer token) files and sets up TLS.
  sdk::Status start(sdk::TargetContext& ctx) override;
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::Delivery>& batch) override;
  sdk::Status flush() override;
  void stop() override;

 private:
  struct Attempt;  // the state of one deliver() call
  void send(Attempt& a, std::vector<std::size_t> indices);
  std::string build_body(const Attempt& a, const std::vector<std::size_t>& indices) const;
  void log(sdk::LogLevel level, const std::string& message);

  HttpTargetOptions options_;
  Endpoint endpoint_;
  sdk::TargetContext* ctx_ = nullptr;
  std::string secret_;
  std::string authorization_;  // "Bearer TOKEN" or empty
  std::unique_ptr<HttpConnection> connection_;
};

}  // namespace medgate::http_adapter
