// The kafka target against an in-process mock cluster (3 brokers, a topic of
// 3 partitions): what deliver() answers, and what a consumer then reads.
#include "kafka_target.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "medgate/testkit/fake_target_context.h"
#include "mock_kafka.h"

namespace medgate::kafka_adapter {
namespace {

using Clock = std::chrono::steady_clock;
using Kind = sdk::Outcome::Kind;
using medgate::testing::ConsumedMessage;
using medgate::testing::read_topic;

constexpr int kBrokers = 3;
constexpr int kPartitions = 3;
constexpr int16_t kProduceApi = 0;  // Kafka protocol ApiKey of ProduceRequest

// Record n of patient n % patients: payload {"seq":n,...}, key "rec-n".
std::vector<sdk::Delivery> records(int from, int to, int patients = 10) {
  std::vector<sdk::Delivery> batch;
  for (int n = from; n < to; ++n) {
    std::string patient = "patient-" + std::to_string(n % patients);
    batch.push_back({"rec-" + std::to_string(n), patient,
                     R"({"seq":)" + std::to_string(n) + R"(,"patient":{"token":")" + patient + R"("}})"});
  }
  return batch;
}

int seq_of(const std::string& payload) {
  return std::stoi(payload.substr(payload.find(':') + 1));
}

std::size_t count(const std::vector<sdk::Outcome>& outcomes, Kind kind) {
  return static_cast<std::size_t>(
      std::count_if(outcomes.begin(), outcomes.end(), [&](const sdk::Outcome& o) { return o.kind == kind; }));
}

std::string reasons(const std::vector<sdk::Outcome>& outcomes) {
  std::set<std::string> distinct;
  for (const sdk::Outcome& o : outcomes)
    if (o.kind != Kind::delivered) distinct.insert(o.reason);
  std::string out;
  for (const std::string& r : distinct) out += "\n  " + r;
  return out;
}

class KafkaTargetTest : public ::testing::Test {
 protected:
  KafkaTargetOptions options() const {
    KafkaTargetOptions o;
    o.brokers = cluster_.bootstraps();
    o.topic = "events";
    o.delivery_timeout = std::chrono::milliseconds(30000);
    return o;
  }
  std::unique_ptr<KafkaTarget> started(KafkaTargetOptions o) {
    auto t = std::make_unique<KafkaTarget>(std::move(o));
    sdk::Status s = t->start(ctx_);
    EXPECT_TRUE(s.ok()) << s.message();
    return t;
  }
  std::vector<ConsumedMessage> read(std::size_t want) {
    return read_topic(cluster_.bootstraps(), "events", kPartitions, want);
  }
  void set_brokers(bool up) {
    for (int id = 1; id <= kBrokers; ++id)
      ASSERT_EQ(up ? rd_kafka_mock_broker_set_up(cluster_.get(), id) : rd_kafka_mock_broker_set_down(cluster_.get(), id),
                RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  // Every record exactly once, key = partition key, header = idempotency key,
  // and each patient's records in one partition in the order of `seq`.
  void expect_exactly(const std::vector<sdk::Delivery>& sent) {
    std::vector<ConsumedMessage> got = read(sent.size());
    ASSERT_EQ(got.size(), sent.size());
    std::map<std::string, const sdk::Delivery*> by_id;
    for (const sdk::Delivery& d : sent) by_id[d.idempotency_key] = &d;
    std::set<std::string> seen;
    std::map<std::string, int> partition_of;
    std::map<std::pair<int, std::string>, std::vector<std::pair<std::int64_t, int>>> order;  // (partition, key) -> (offset, seq)
    for (const ConsumedMessage& m : got) {
      ASSERT_EQ(m.idempotency_headers.size(), 1u) << "offset " << m.offset;
      const std::string& id = m.idempotency_headers[0];
      ASSERT_TRUE(by_id.count(id)) << id;
      EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
      EXPECT_EQ(m.key, by_id[id]->partition_key);
      EXPECT_EQ(m.value, by_id[id]->payload);
      auto [it, fresh] = partition_of.emplace(m.key, m.partition);
      EXPECT_EQ(it->second, m.partition) << m.key << " spread over partitions";
      order[{m.partition, m.key}].push_back({m.offset, seq_of(m.value)});
    }
    for (auto& [where, list] : order) {
      std::sort(list.begin(), list.end());
      for (std::size_t i = 1; i < list.size(); ++i)
        EXPECT_LT(list[i - 1].second, list[i].second) << where.second << " out of order in partition " << where.first;
    }
  }

  medgate::testing::MockKafkaCluster cluster_{kBrokers, "events", kPartitions};
  medgate::testkit::FakeTargetContext ctx_;
};

TEST_F(KafkaTargetTest, DeliversKeyedWithHeaderInOrderPerPatient) {
  auto target = started(options());
  std::vector<sdk::Delivery> all = records(0, 300);
  for (int from = 0; from < 300; from += 100) {
    std::vector<sdk::Delivery> batch(all.begin() + from, all.begin() + from + 100);
    std::vector<sdk::Outcome> outcomes = target->deliver(batch);
    ASSERT_EQ(outcomes.size(), batch.size());
    EXPECT_EQ(count(outcomes, Kind::delivered), batch.size()) << reasons(outcomes);
  }
  EXPECT_TRUE(target->flush().ok());
  target->stop();
  expect_exactly(all);
  std::set<int> partitions;
  for (const ConsumedMessage& m : read(all.size())) partitions.insert(m.partition);
  EXPECT_GT(partitions.size(), 1u) << "10 patients should spread over the 3 partitions";
}

TEST_F(KafkaTargetTest, BrokersDownMeansRetryThenRecovery) {
  KafkaTargetOptions o = options();
  o.delivery_timeout = std::chrono::milliseconds(1500);
  // Reconnect soon after the brokers are back (librdkafka backs off up to 10 s).
  o.properties = {{"reconnect.backoff.ms", "10"}, {"reconnect.backoff.max.ms", "100"}};
  auto target = started(o);
  std::vector<sdk::Delivery> first = records(0, 20);
  ASSERT_EQ(count(target->deliver(first), Kind::delivered), first.size());

  set_brokers(false);
  std::vector<sdk::Delivery> second = records(20, 40);
  auto t0 = Clock::now();
  std::vector<sdk::Outcome> outcomes = target->deliver(second);
  auto took = Clock::now() - t0;
  EXPECT_EQ(count(outcomes, Kind::retry), second.size()) << reasons(outcomes);
  EXPECT_NE(outcomes[0].reason.find("_MSG_TIMED_OUT"), std::string::npos) << outcomes[0].reason;
  EXPECT_LT(took, std::chrono::seconds(10)) << "deliver() must end near delivery_timeout";

  set_brokers(true);
  outcomes = target->deliver(second);
  EXPECT_EQ(count(outcomes, Kind::delivered), second.size()) << reasons(outcomes);
  target->stop();
  std::vector<sdk::Delivery> all = first;
  all.insert(all.end(), second.begin(), second.end());
  expect_exactly(all);
}

TEST_F(KafkaTargetTest, AuthorizationFailureIsRetriedNotRejected) {
  auto target = started(options());
  std::vector<sdk::Delivery> one = records(0, 1);
  ASSERT_EQ(count(target->deliver(one), Kind::delivered), 1u);

  std::vector<sdk::Delivery> next = records(1, 2);
  rd_kafka_mock_push_request_errors(cluster_.get(), kProduceApi, 1, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  std::vector<sdk::Outcome> outcomes = target->deliver(next);
  ASSERT_EQ(outcomes[0].kind, Kind::retry) << outcomes[0].reason;
  EXPECT_NE(outcomes[0].reason.find("TOPIC_AUTHORIZATION_FAILED"), std::string::npos) << outcomes[0].reason;

  outcomes = target->deliver(next);
  EXPECT_EQ(outcomes[0].kind, Kind::delivered) << outcomes[0].reason;
  target->stop();
  expect_exactly({one[0], next[0]});
}

TEST_F(KafkaTargetTest, RecordLargerThanMessageMaxBytesIsRejected) {
  KafkaTargetOptions o = options();
  o.properties = {{"message.max.bytes", "10000"}};
  auto target = started(o);
  std::vector<sdk::Delivery> batch = records(0, 3);
  batch[1].payload = R"({"seq":1,"pad":")" + std::string(20000, 'x') + R"("})";
  std::vector<sdk::Outcome> outcomes = target->deliver(batch);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].kind, Kind::delivered) << outcomes[0].reason;
  EXPECT_EQ(outcomes[1].kind, Kind::rejected) << outcomes[1].reason;
  EXPECT_NE(outcomes[1].reason.find("message.max.bytes"), std::string::npos) << outcomes[1].reason;
  EXPECT_EQ(outcomes[2].kind, Kind::delivered) << outcomes[2].reason;
  target->stop();
  expect_exactly({batch[0], batch[2]});
}

TEST_F(KafkaTargetTest, FullLocalQueueIsWaitedOut) {
  KafkaTargetOptions o = options();
  o.properties = {{"queue.buffering.max.messages", "10"}};
  auto target = started(o);
  std::vector<sdk::Delivery> batch = records(0, 200);
  std::vector<sdk::Outcome> outcomes = target->deliver(batch);
  EXPECT_EQ(count(outcomes, Kind::delivered), batch.size()) << reasons(outcomes);
  target->stop();
  expect_exactly(batch);
}

TEST_F(KafkaTargetTest, FatalProducerErrorMeansRetryAndANewProducer) {
  auto target = started(options());
  std::vector<sdk::Delivery> first = records(0, 10);
  ASSERT_EQ(count(target->deliver(first), Kind::delivered), first.size());

  // With the brokers down the batch waits for reports; a fatal error then.
  set_brokers(false);
  KafkaTarget* t = target.get();
  ctx_.on_check(3, [t] { EXPECT_TRUE(t->raise_fatal_error_for_test("unit test").ok()); });
  std::vector<sdk::Delivery> second = records(10, 20);
  auto t0 = Clock::now();
  std::vector<sdk::Outcome> outcomes = target->deliver(second);
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10)) << "a fatal error must end the wait";
  EXPECT_EQ(count(outcomes, Kind::retry), second.size()) << reasons(outcomes);
  EXPECT_NE(outcomes[0].reason.find("fatal"), std::string::npos) << outcomes[0].reason;
  EXPECT_EQ(ctx_.count_logs("fatal producer error"), 1u);
  EXPECT_EQ(ctx_.count_logs("kafka: fatal producer error (OUT_OF_ORDER_SEQUENCE_NUMBER: test_fatal_error: unit test)"), 1u)
      << ::testing::PrintToString(ctx_.logs());

  set_brokers(true);
  outcomes = target->deliver(second);
  EXPECT_EQ(count(outcomes, Kind::delivered), second.size()) << reasons(outcomes);
  EXPECT_EQ(ctx_.count_logs("fatal producer error"), 1u) << "logged once";
  target->stop();
  std::vector<sdk::Delivery> all = first;
  all.insert(all.end(), second.begin(), second.end());
  expect_exactly(all);
}

TEST_F(KafkaTargetTest, StopRequestEndsTheWait) {
  auto target = started(options());  // delivery_timeout 30 s
  set_brokers(false);
  ctx_.stop_after_checks(5);
  auto t0 = Clock::now();
  std::vector<sdk::Outcome> outcomes = target->deliver(records(0, 10));
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(count(outcomes, Kind::retry), 10u);
  EXPECT_NE(outcomes[0].reason.find("stopping"), std::string::npos) << outcomes[0].reason;
  t0 = Clock::now();
  target->stop();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2)) << "stop() once stopping must not wait for the brokers";
}

TEST_F(KafkaTargetTest, NothingIsSentOnceStopping) {
  auto target = started(options());
  ctx_.request_stop();
  std::vector<sdk::Outcome> outcomes = target->deliver(records(0, 5));
  EXPECT_EQ(count(outcomes, Kind::retry), 5u);
  target->stop();
  EXPECT_TRUE(read(0).empty());
}

TEST_F(KafkaTargetTest, StartFailsOnAnUnreadableSecret) {
  KafkaTargetOptions o = options();
  o.security_protocol = "sasl_plaintext";
  o.sasl_mechanism = "PLAIN";
  o.sasl_username = "medgate";
  o.sasl_password_file = "/nonexistent/kafka.pw";
  KafkaTarget target(o);
  sdk::Status s = target.start(ctx_);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("sasl_password_file"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace medgate::kafka_adapter
