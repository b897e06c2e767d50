// One librdkafka producer for one topic. Its callbacks (delivery reports,
// errors, log lines) reach a ProducerEvents sink only from inside poll() or
// flush(), on the calling thread: log lines are routed to the main queue, so
// librdkafka's own threads never call into the plugin.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kafka_target_options.h"
#include "medgate/sdk/status.h"

namespace medgate::kafka_adapter {

// The header every message carries, so consumers can drop duplicates.
inline constexpr std::string_view kIdempotencyHeader = "medgate-idempotency-key";

class ProducerEvents {
 public:
  virtual ~ProducerEvents() = default;
  virtual void on_delivery(std::uint64_t message_id, rd_kafka_resp_err_t err) = 0;
  virtual void on_error(rd_kafka_resp_err_t err, const std::string& reason) = 0;
  // `level` is a syslog level (0 emergency .. 7 debug).
  virtual void on_log(int level, const std::string& facility, const std::string& message) = 0;
};

class KafkaProducer {
 public:
  // Applies `properties` (an error names the option it came from) and creates
  // the producer. `events` may be null when only checking the configuration;
  // it must outlive the producer otherwise.
  static sdk::Status create(const std::vector<ProducerProperty>& properties, const std::string& topic,
                            ProducerEvents* events, std::unique_ptr<KafkaProducer>& out);
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;
  // Destroys without waiting: call flush() first to give queued messages a chance.
  ~KafkaProducer();

  // Queues one message (key = partition key, one header); never blocks.
  rd_kafka_resp_err_t produce(std::string_view key, std::string_view value, std::string_view idempotency_key,
                              std::uint64_t message_id);
  // Serves callbacks for up to `wait`.
  void poll(std::chrono::milliseconds wait);
  // Waits up to `wait` for every queued message's delivery report; true when none is left.
  bool flush(std::chrono::milliseconds wait);
  // Messages queued or in flight whose delivery report has not been served.
  int outstanding() const;
  // Asks the cluster for the topic's metadata now (librdkafka otherwise waits
  // for topic.metadata.refresh.interval.ms): a topic put in an error state
  // (e.g. authorization failed) is usable again once the cause is fixed.
  void refresh_metadata(std::chrono::milliseconds wait);
  // Drops every queued and in-flight message (they report __PURGE_*).
  void purge();
  // The fatal error librdkafka raised, as "NAME: text"; empty when none.
  std::string fatal_error() const;
  // rd_kafka_test_fatal_error: lets tests exercise the fatal-error path.
  rd_kafka_resp_err_t raise_test_fatal_error(const std::string& reason);

 private:
  KafkaProducer(rd_kafka_t* rk, rd_kafka_topic_t* topic) : rk_(rk), topic_(topic) {}
  rd_kafka_t* rk_;
  rd_kafka_topic_t* topic_;
};

// "NAME: description" for an error code, e.g. "_MSG_TIMED_OUT: Local: Message timed out".
std::string error_text(rd_kafka_resp_err_t err);

}  // namespace medgate::kafka_adapter
