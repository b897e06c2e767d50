#include "http_target.h"

#include <Poco/DateTimeParser.h>
#include <Poco/Exception.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <charconv>

#include "medgate/sdk/json.h"
#include "medgate/sdk/secrets.h"
#include "request_signer.h"

namespace medgate::http_adapter {
namespace {
using sdk::Outcome;
using sdk::Status;

constexpr std::string_view kBodyStart = "{\"records\":[";
constexpr std::string_view kBodyEnd = "]}";

std::string http_reason(const HttpResponse& r) {
  std::string text = body_excerpt(r.body);
  if (text.find_first_not_of(' ') == std::string::npos) text = body_excerpt(r.reason_phrase);
  return "HTTP " + std::to_string(r.status) + ": " + text;
}

}  // namespace

StatusClass classify_status(int status) {
  if (status >= 200 && status <= 299) return StatusClass::delivered;
  if (status >= 300 && status <= 399) return StatusClass::redirect;
  switch (status) {
    case 401:  // unauthorized, forbidden, proxy authentication: the receiver
    case 403:  // refuses us (a rotated secret or token), not the records
    case 407:
    case 404:  // a wrong or missing endpoint: fix the url, nothing is lost
    case 405:
    case 408:  // request timeout
    case 429:  // too many requests
      return StatusClass::retry;
    default:
      break;
  }
  if (status >= 400 && status <= 499) return StatusClass::refused;
  return StatusClass::retry;  // 5xx, and anything unexpected
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::time_t now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size())
    return seconds >= 0 ? std::optional(std::chrono::seconds(seconds)) : std::nullopt;
  try {
    int tzd = 0;
    Poco::DateTime when = Poco::DateTimeParser::parse(std::string(value), tzd);
    std::int64_t at = when.timestamp().epochTime() - tzd;
    return std::chrono::seconds(std::max<std::int64_t>(0, at - now));
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
}

std::string body_excerpt(std::string_view body, std::size_t max) {
  if (body.size() > max) {
    std::size_t cut = max;
    // Back off over UTF-8 continuation bytes so the cut lands on a boundary.
    while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
    body = body.substr(0, cut);
  }
  std::string out(body);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

// One deliver() call: the records' JSON items, their outcomes so far, and
// whether a retryable failure stopped sending.
struct HttpTarget::Attempt {
  const std::vector<sdk::Delivery>& batch;
  std::vector<std::string> items;  // {"idempotency_key":...,"partition_key":...,"record":PAYLOAD}
  std::vector<std::optional<Outcome>> outcomes;
  bool stopped = false;
  std::string retry_reason;
  std::size_t requests = 0;
  std::size_t refused = 0;
};

HttpTarget::HttpTarget(HttpTargetOptions options) : options_(std::move(options)) {}

HttpTarget::~HttpTarget() = default;

void HttpTarget::log(sdk::LogLevel level, const std::string& message) {
  if (ctx_) ctx_->log(level, message);
}

Status HttpTarget::start(sdk::TargetContext& ctx) {
  ctx_ = &ctx;
  if (Status s = parse_endpoint(options_.url, endpoint_); !s.ok()) return s;
  if (Status s = sdk::read_secret_file(options_.secret_file, secret_, "secret_file"); !s.ok()) return s;
  authorization_.clear();
  if (!options_.bearer_token_file.empty()) {
    std::string token;
    if (Status s = sdk::read_secret_file(options_.bearer_token_file, token, "bearer_token_file"); !s.ok()) return s;
    if (token.find_first_of("\r\n") != std::string::npos)
      return Status::Invalid("bearer_token_file must hold a single line");
    authorization_ = "Bearer " + token;
  }
  connection_ =
      std::make_unique<HttpConnection>(endpoint_, options_.timeout, TlsSettings{options_.ca_file, options_.verify_tls});
  if (Status s = connection_->open(); !s.ok()) return s;
  if (endpoint_.https && !options_.verify_tls)
    log(sdk::LogLevel::warning, "verify_tls is off: the server's certificate is not checked");
  if (!endpoint_.https)
    log(sdk::LogLevel::info, "sending to a plain http:// url: records are signed but not encrypted in transit");
  return Status::Ok();
}

std::string HttpTarget::build_body(const Attempt& a, const std::vector<std::size_t>& indices) const {
  std::size_t size = kBodyStart.size() + kBodyEnd.size() + indices.size();
  for (std::size_t i : indices) size += a.items[i].size();
  std::string body;
  body.reserve(size);
  body += kBodyStart;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    if (k) body.push_back(',');
    body += a.items[indices[k]];
  }
  body += kBodyEnd;
  return body;
}

void HttpTarget::send(Attempt& a, std::vector<std::size_t> indices) {
  if (a.stopped || indices.empty()) return;
  const std::string body = build_body(a, indices);
  std::vector<const sdk::Delivery*> records;
  records.reserve(indices.size());
  for (std::size_t i : indices) records.push_back(&a.batch[i]);
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));

  std::vector<std::pair<std::string, std::string>> headers = options_.headers;
  headers.emplace_back("User-Agent", std::string("medgate/") + kPluginVersion);
  headers.emplace_back("X-Medgate-Timestamp", std::to_string(now));
  headers.emplace_back("X-Medgate-Signature", sign_request(secret_, now, body));
  headers.emplace_back("X-Medgate-Batch-Id", batch_id(records));
  if (!authorization_.empty()) headers.emplace_back("Authorization", authorization_);

  ++a.requests;
  HttpResponse response;
  if (Status s = connection_->post(headers, body, response); !s.ok()) {
    a.stopped = true;
    a.retry_reason = s.message();
    return;
  }
  switch (classify_status(response.status)) {
    case StatusClass::delivered:
      for (std::size_t i : indices) a.outcomes[i] = Outcome{Outcome::Kind::delivered, {}};
      return;
    case StatusClass::retry: {
      a.stopped = true;
      a.retry_reason = http_reason(response);
      auto delay = parse_retry_after(response.retry_after, static_cast<std::time_t>(now));
      if (delay) {
        auto wait = std::min<std::chrono::seconds>(*delay, kMaxRetryAfterWait);
        a.retry_reason +=
            " (Retry-After: " + std::to_string(delay->count()) + " s; waited " + std::to_string(wait.count()) + " s)";
        if (ctx_ && wait.count() > 0) ctx_->wait_for_stop(wait);
      }
      return;
    }
    case StatusClass::redirect: {
      // Following a redirect would send signed records somewhere the
      // config does not name.
      std::string reason = "HTTP " + std::to_string(response.status) + ": redirects are not followed";
      if (!response.location.empty()) reason += " (Location: " + body_excerpt(response.location) + ")";
      reason += "; point url at the final endpoint";
      for (std::size_t i : indices) a.outcomes[i] = Outcome{Outcome::Kind::rejected, reason};
      a.refused += indices.size();
      return;
    }
    case StatusClass::refused:
      if (indices.size() == 1) {
        a.outcomes[indices[0]] = Outcome{Outcome::Kind::rejected, http_reason(response)};
        ++a.refused;
        return;
      }
      // Somewhere in here are records the receiver refuses: send each half
      // on its own, in order, until single records are left.
      std::vector<std::size_t> second(indices.begin() + static_cast<long>(indices.size() / 2), indices.end());
      indices.resize(indices.size() / 2);
      send(a, std::move(indices));
      send(a, std::move(second));
      return;
  }
}

std::vector<Outcome> HttpTarget::deliver(const std::vector<sdk::Delivery>& batch) {
  Attempt a{batch, {}, std::vector<std::optional<Outcome>>(batch.size()), false, {}, 0, 0};
  if (!connection_) {
    return std::vector<Outcome>(batch.size(), Outcome{Outcome::Kind::retry, "http target is not started"});
  }
  const std::size_t envelope = kBodyStart.size() + kBodyEnd.size();
  a.items.resize(batch.size());
  std::vector<std::size_t> chunk;
  std::size_t chunk_size = envelope;
  for (std::size_t i = 0; i < batch.size() && !a.stopped; ++i) {
    const sdk::Delivery& d = batch[i];
    if (d.payload.empty()) {
      a.outcomes[i] = Outcome{Outcome::Kind::rejected, "empty payload"};
      ++a.refused;
      continue;
    }
    std::string& item = a.items[i];
    item = "{\"idempotency_key\":";
    sdk::append_json_string(d.idempotency_key, item);
    item += ",\"partition_key\":";
    sdk::append_json_string(d.partition_key, item);
    item += ",\"record\":";
    item += d.payload;
    item += "}";
    if (envelope + item.size() > options_.max_body) {
      a.outcomes[i] = Outcome{Outcome::Kind::rejected, "record of " + std::to_string(item.size()) +
                                                           " bytes does not fit max_body (" +
                                                           std::to_string(options_.max_body) + " bytes)"};
      ++a.refused;
      continue;
    }
    // Batches go out in pieces no larger than max_body, in order.
    if (!chunk.empty() && chunk_size + 1 + item.size() > options_.max_body) {
      send(a, std::move(chunk));
      chunk.clear();
      chunk_size = envelope;
    }
    chunk_size += (chunk.empty() ? 0 : 1) + item.size();
    chunk.push_back(i);
  }
  send(a, std::move(chunk));

  std::vector<Outcome> outcomes;
  outcomes.reserve(batch.size());
  for (auto& o : a.outcomes) outcomes.push_back(o ? std::move(*o) : Outcome{Outcome::Kind::retry, a.retry_reason});
  if (a.refused > 0)
    log(sdk::LogLevel::warning, std::to_string(a.refused) + " of " + std::to_string(batch.size()) +
                                    " records rejected after " + std::to_string(a.requests) +
                                    " requests; they go to the dead-letter queue");
  return outcomes;
}

// Nothing is buffered: every deliver() waits for its answers.
Status HttpTarget::flush() {
  return Status::Ok();
}

void HttpTarget::stop() {
  if (connection_) connection_->close();
}

}  // namespace medgate::http_adapter
