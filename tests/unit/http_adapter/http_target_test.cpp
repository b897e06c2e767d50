// The http target against an in-process receiver: what goes on the wire
// (body, headers, signature checked with OpenSSL directly), and how every
// kind of answer maps to per-record outcomes.
#include "http_target.h"

#include <Poco/Net/ServerSocket.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <set>

#include "../temp_dir.h"
#include "medgate/testkit/fake_target_context.h"
#include "medgate/sdk/json.h"
#include "test_config.h"
#include "test_receiver.h"

namespace {
using namespace medgate::http_adapter;
using medgate::sdk::Delivery;
using medgate::sdk::Outcome;
using medgate::sdk::Value;
using medgate::testkit::FakeTargetContext;
using medgate::testing::ReceivedRequest;
using medgate::testing::Reply;
using medgate::testing::TempDir;
using medgate::testing::TestReceiver;
using Kind = Outcome::Kind;

const std::string kSecret = "test-secret-0123456789";

// HMAC-SHA256 computed here with OpenSSL, independently of request_signer.
std::string expected_signature(const std::string& timestamp, const std::string& body) {
  std::string message = timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &len);
  static const char* digits = "0123456789abcdef";
  std::string hex = "v1=";
  for (unsigned i = 0; i < len; ++i) {
    hex.push_back(digits[mac[i] >> 4]);
    hex.push_back(digits[mac[i] & 0xf]);
  }
  return hex;
}

std::vector<Delivery> make_batch(int n, int bad = -1, std::size_t padding = 0) {
  std::vector<Delivery> batch;
  for (int i = 0; i < n; ++i) {
    std::string payload = "{\"source_record_id\":\"r" + std::to_string(i) + "\",\"marker\":\"" +
                          (i == bad ? "BAD" : "fine") + "\",\"pad\":\"" + std::string(padding, 'x') + "\"}";
    batch.push_back({"key-" + std::to_string(i), "patient-" + std::to_string(i % 3), payload});
  }
  return batch;
}

// The idempotency keys of the records in a request body.
std::vector<std::string> keys_in(const std::string& body) {
  Value v;
  EXPECT_TRUE(medgate::sdk::parse_json(body, v).ok()) << body;
  std::vector<std::string> keys;
  if (const Value* records = v.find("records"); records && records->is_array())
    for (const Value& r : records->as_array()) keys.emplace_back(r.string_or("idempotency_key", ""));
  return keys;
}

bool has_marker(const std::string& body, const std::string& marker) {
  return body.find("\"marker\":\"" + marker + "\"") != std::string::npos;
}

std::size_t count(const std::vector<Outcome>& outcomes, Kind kind) {
  return static_cast<std::size_t>(
      std::count_if(outcomes.begin(), outcomes.end(), [&](const Outcome& o) { return o.kind == kind; }));
}

class HttpTargetTest : public ::testing::Test {
 protected:
  void SetUp() override { medgate::testing::write_file(dir_ / "secret", kSecret + "\n"); }

  std::unique_ptr<HttpTarget> make_target(const std::string& url, Value overrides = Value::object()) {
    Value v = std::move(overrides);
    v["url"] = url;
    v["secret_file"] = dir_ / "secret";
    auto config = medgate::testing::http_config(v);
    auto s = HttpTargetOptions::validate(config);
    EXPECT_TRUE(s.ok()) << s.message();
    auto target = std::make_unique<HttpTarget>(HttpTargetOptions::from(config));
    auto started = target->start(ctx_);
    EXPECT_TRUE(started.ok()) << started.message();
    return target;
  }

  TempDir dir_;
  FakeTargetContext ctx_;
};

TEST_F(HttpTargetTest, PostsSignedBatchWithDocumentedHeadersAndBody) {
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{}; });
  auto target = make_target(receiver.url(), [] {
    Value v = Value::object();
    v["headers"] = Value(Value::Array{Value("X-Tenant: clinic-7")});
    return v;
  }());
  auto batch = make_batch(3);
  auto outcomes = target->deliver(batch);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(count(outcomes, Kind::delivered), 3u);

  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const ReceivedRequest r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.uri, "/ingest?src=medgate");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("user-agent"), "medgate/1.0.0");
  EXPECT_EQ(r.header("x-tenant"), "clinic-7");
  EXPECT_EQ(r.header("authorization"), "");
  std::int64_t ts = std::atoll(r.header("x-medgate-timestamp").c_str());
  EXPECT_LE(std::abs(ts - static_cast<std::int64_t>(std::time(nullptr))), 5);
  EXPECT_EQ(r.header("x-medgate-signature"), expected_signature(r.header("x-medgate-timestamp"), r.body));
  EXPECT_EQ(r.header("x-medgate-batch-id").size(), 32u);

  // {"records":[{"idempotency_key":K,"partition_key":P,"record":PAYLOAD},...]}
  Value body;
  ASSERT_TRUE(medgate::sdk::parse_json(r.body, body).ok());
  const Value* records = body.find("records");
  ASSERT_TRUE(records && records->is_array());
  ASSERT_EQ(records->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const Value& rec = records->as_array()[i];
    EXPECT_EQ(rec.string_or("idempotency_key", ""), batch[i].idempotency_key);
    EXPECT_EQ(rec.string_or("partition_key", ""), batch[i].partition_key);
    Value payload;
    ASSERT_TRUE(medgate::sdk::parse_json(batch[i].payload, payload).ok());
    ASSERT_NE(rec.find("record"), nullptr);
    EXPECT_EQ(*rec.find("record"), payload);
  }

  // The same batch again: a fresh signature, the same batch id, the same connection.
  outcomes = target->deliver(batch);
  EXPECT_EQ(count(outcomes, Kind::delivered), 3u);
  requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].header("x-medgate-batch-id"), r.header("x-medgate-batch-id"));
  EXPECT_EQ(requests[1].header("x-medgate-signature"),
            expected_signature(requests[1].header("x-medgate-timestamp"), requests[1].body));
  EXPECT_EQ(requests[1].client, r.client) << "keep-alive: one connection for both requests";
}

TEST_F(HttpTargetTest, BearerTokenFileBecomesAuthorizationHeader) {
  medgate::testing::write_file(dir_ / "token", "tok-123\n");
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{}; });
  Value v = Value::object();
  v["bearer_token_file"] = dir_ / "token";
  auto target = make_target(receiver.url(), v);
  EXPECT_EQ(count(target->deliver(make_batch(1)), Kind::delivered), 1u);
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_EQ(receiver.requests()[0].header("authorization"), "Bearer tok-123");
}

TEST_F(HttpTargetTest, ServerErrorRetriesTheWholeBatch) {
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{503, "maintenance\nwindow"}; });
  auto target = make_target(receiver.url());
  auto outcomes = target->deliver(make_batch(5));
  ASSERT_EQ(outcomes.size(), 5u);
  EXPECT_EQ(count(outcomes, Kind::retry), 5u);
  EXPECT_EQ(outcomes[0].reason, "HTTP 503: maintenance window");
  EXPECT_EQ(receiver.requests().size(), 1u) << "a 5xx must not be bisected";
}

TEST_F(HttpTargetTest, ServerErrorThenSuccess) {
  std::atomic<int> calls{0};
  TestReceiver receiver([&](const ReceivedRequest&) { return ++calls <= 1 ? Reply{500, "boom"} : Reply{}; });
  auto target = make_target(receiver.url());
  auto batch = make_batch(4);
  EXPECT_EQ(count(target->deliver(batch), Kind::retry), 4u);
  EXPECT_EQ(count(target->deliver(batch), Kind::delivered), 4u);
  auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("x-medgate-batch-id"), requests[1].header("x-medgate-batch-id"));
}

TEST_F(HttpTargetTest, OneRefusedRecordInEightIsIsolated) {
  TestReceiver receiver([](const ReceivedRequest& r) {
    return has_marker(r.body, "BAD") ? Reply{400, "record refused: unknown event_type"} : Reply{};
  });
  auto target = make_target(receiver.url());
  auto batch = make_batch(8, /*bad=*/5);
  auto outcomes = target->deliver(batch);
  ASSERT_EQ(outcomes.size(), 8u);
  EXPECT_EQ(count(outcomes, Kind::delivered), 7u);
  ASSERT_EQ(outcomes[5].kind, Kind::rejected);
  EXPECT_EQ(outcomes[5].reason, "HTTP 400: record refused: unknown event_type");
  EXPECT_EQ(outcomes[5].reason.find("BAD"), std::string::npos);

  // Every good record was accepted exactly once; halves went in order.
  std::multiset<std::string> accepted;
  std::vector<std::string> order;
  for (const ReceivedRequest& r : receiver.requests()) {
    EXPECT_EQ(r.header("x-medgate-signature"), expected_signature(r.header("x-medgate-timestamp"), r.body));
    if (has_marker(r.body, "BAD")) continue;
    for (auto& k : keys_in(r.body)) {
      accepted.insert(k);
      order.push_back(k);
    }
  }
  EXPECT_EQ(accepted.size(), 7u);
  for (int i = 0; i < 8; ++i) {
    if (i == 5) continue;
    EXPECT_EQ(accepted.count("key-" + std::to_string(i)), 1u) << i;
  }
  EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << "records are delivered in batch order";
  EXPECT_EQ(receiver.requests().size(), 7u) << "8 -> 4+4 -> 2+2 -> 1+1";
}

TEST_F(HttpTargetTest, RetryDuringBisectionStopsAndRetriesTheRest) {
  // 400 for the whole batch, then 503: nothing after the first retry is sent.
  std::atomic<int> calls{0};
  TestReceiver receiver([&](const ReceivedRequest&) {
    return ++calls == 1 ? Reply{400, "refused"} : Reply{503, "overloaded"};
  });
  auto target = make_target(receiver.url());
  auto outcomes = target->deliver(make_batch(4, 0));
  EXPECT_EQ(count(outcomes, Kind::retry), 4u);
  EXPECT_EQ(outcomes[0].reason, "HTTP 503: overloaded");
  EXPECT_EQ(receiver.requests().size(), 2u);
}

TEST_F(HttpTargetTest, TooManyRequestsHonoursRetryAfter) {
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{429, "slow down", {{"Retry-After", "1"}}}; });
  auto target = make_target(receiver.url());
  auto t0 = std::chrono::steady_clock::now();
  auto outcomes = target->deliver(make_batch(2));
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(count(outcomes, Kind::retry), 2u);
  EXPECT_NE(outcomes[0].reason.find("HTTP 429: slow down"), std::string::npos) << outcomes[0].reason;
  EXPECT_NE(outcomes[0].reason.find("Retry-After: 1 s"), std::string::npos) << outcomes[0].reason;
  EXPECT_GE(waited, std::chrono::milliseconds(900));
}

TEST_F(HttpTargetTest, RetryAfterWaitEndsOnStop) {
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{503, "later", {{"Retry-After", "3600"}}}; });
  auto target = make_target(receiver.url());
  ctx_.request_stop();
  auto t0 = std::chrono::steady_clock::now();
  auto outcomes = target->deliver(make_batch(1));
  EXPECT_EQ(outcomes[0].kind, Kind::retry);
  EXPECT_NE(outcomes[0].reason.find("Retry-After: 3600 s"), std::string::npos) << outcomes[0].reason;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
}

TEST_F(HttpTargetTest, RedirectIsRejectedNotFollowed) {
  TestReceiver receiver([](const ReceivedRequest&) {
    return Reply{301, "moved", {{"Location", "https://elsewhere.example/in"}}};
  });
  auto target = make_target(receiver.url());
  auto outcomes = target->deliver(make_batch(3));
  EXPECT_EQ(count(outcomes, Kind::rejected), 3u);
  EXPECT_NE(outcomes[0].reason.find("HTTP 301: redirects are not followed"), std::string::npos) << outcomes[0].reason;
  EXPECT_NE(outcomes[0].reason.find("https://elsewhere.example/in"), std::string::npos);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST_F(HttpTargetTest, AuthenticationFailureRetriesInsteadOfDeadLettering) {
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{401, "bad signature"}; });
  auto target = make_target(receiver.url());
  auto outcomes = target->deliver(make_batch(4));
  EXPECT_EQ(count(outcomes, Kind::retry), 4u);
  EXPECT_EQ(outcomes[0].reason, "HTTP 401: bad signature");
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST_F(HttpTargetTest, ConnectionRefusedRetries) {
  std::uint16_t port;
  {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    port = s.address().port();
  }  // closed: nothing listens there now
  auto target = make_target("http://127.0.0.1:" + std::to_string(port) + "/in");
  auto outcomes = target->deliver(make_batch(3));
  EXPECT_EQ(count(outcomes, Kind::retry), 3u);
  EXPECT_NE(outcomes[0].reason.find("127.0.0.1:" + std::to_string(port)), std::string::npos) << outcomes[0].reason;
}

TEST_F(HttpTargetTest, TimeoutRetriesAndTheNextRequestUsesAFreshConnection) {
  std::atomic<int> calls{0};
  TestReceiver receiver([&](const ReceivedRequest&) {
    Reply r;
    r.hold = ++calls == 1;
    return r;
  });
  Value v = Value::object();
  v["timeout"] = Value(std::int64_t{300});
  auto target = make_target(receiver.url(), v);
  auto t0 = std::chrono::steady_clock::now();
  auto outcomes = target->deliver(make_batch(2));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(count(outcomes, Kind::retry), 2u);
  EXPECT_NE(outcomes[0].reason.find("within 300 ms"), std::string::npos) << outcomes[0].reason;
  receiver.release();
  EXPECT_EQ(count(target->deliver(make_batch(2)), Kind::delivered), 2u);
}

TEST_F(HttpTargetTest, LargeBatchIsSplitByMaxBody) {
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{}; });
  Value v = Value::object();
  v["max_body"] = Value(std::int64_t{2048});
  auto target = make_target(receiver.url(), v);
  auto batch = make_batch(10, -1, 300);  // ~400 bytes per record
  batch.push_back({"key-huge", "p", "{\"pad\":\"" + std::string(4000, 'y') + "\"}"});
  auto outcomes = target->deliver(batch);
  EXPECT_EQ(count(outcomes, Kind::delivered), 10u);
  ASSERT_EQ(outcomes[10].kind, Kind::rejected);
  EXPECT_NE(outcomes[10].reason.find("max_body (2048 bytes)"), std::string::npos) << outcomes[10].reason;
  std::vector<std::string> keys;
  auto requests = receiver.requests();
  EXPECT_GT(requests.size(), 1u);
  for (const ReceivedRequest& r : requests) {
    EXPECT_LE(r.body.size(), 2048u);
    for (auto& k : keys_in(r.body)) keys.push_back(k);
  }
  ASSERT_EQ(keys.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(keys[static_cast<std::size_t>(i)], "key-" + std::to_string(i));
}

TEST_F(HttpTargetTest, StartFailsWithoutSecret) {
  Value v = Value::object();
  v["url"] = "http://127.0.0.1:9/";
  v["secret_file"] = dir_ / "missing";
  HttpTarget target(HttpTargetOptions::from(medgate::testing::http_config(v)));
  EXPECT_FALSE(target.start(ctx_).ok());
  auto outcomes = target.deliver(make_batch(1));
  EXPECT_EQ(outcomes[0].kind, Kind::retry);
}

TEST(HttpStatus, Classification) {
  EXPECT_EQ(classify_status(200), StatusClass::delivered);
  EXPECT_EQ(classify_status(204), StatusClass::delivered);
  EXPECT_EQ(classify_status(302), StatusClass::redirect);
  EXPECT_EQ(classify_status(400), StatusClass::refused);
  EXPECT_EQ(classify_status(413), StatusClass::refused);
  EXPECT_EQ(classify_status(422), StatusClass::refused);
  for (int s : {401, 403, 404, 405, 407, 408, 429, 500, 502, 503, 504, 199, 600})
    EXPECT_EQ(classify_status(s), StatusClass::retry) << s;
}

TEST(HttpStatus, RetryAfterParsing) {
  std::time_t now = 1'700'000'000;  // Tue, 14 Nov 2023 22:13:20 GMT
  EXPECT_EQ(parse_retry_after("120", now), std::chrono::seconds(120));
  EXPECT_EQ(parse_retry_after(" 0 ", now), std::chrono::seconds(0));
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:14:20 GMT", now), std::chrono::seconds(60));
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now), std::chrono::seconds(0));
  EXPECT_EQ(parse_retry_after("", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
  EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
}

TEST(HttpStatus, BodyExcerptIsBoundedAndSingleLine) {
  EXPECT_EQ(body_excerpt("a\r\nb\tc"), "a  b c");
  EXPECT_EQ(body_excerpt(std::string(500, 'z')).size(), 200u);
  // 199 ASCII bytes then a 3-byte character: the cut drops the whole character.
  std::string s = std::string(199, 'a') + "\xe4\xb8\xad" + "tail";
  EXPECT_EQ(body_excerpt(s), std::string(199, 'a'));
}

}  // namespace
