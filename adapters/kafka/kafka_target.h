// The kafka target: produces each delivery to one topic with an idempotent
// producer (acks=all), keyed by the patient token so one patient's records
// stay in order within a partition, with the idempotency key as the header
// `medgate-idempotency-key`. deliver() returns once every record of the batch
// has its broker acknowledgement or error (bounded by delivery_timeout), and
// maps each to an Outcome.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kafka_producer.h"
#include "kafka_target_options.h"
#include "medgate/sdk/plugin.h"

namespace medgate::kafka_adapter {

class KafkaTarget : public sdk::Target, private ProducerEvents {
 public:
  explicit KafkaTarget(KafkaTargetOptions options);
  ~KafkaTarget() override;

  // Creates the producer; it connects in the background.
  sdk::Status start(sdk::TargetContext& ctx) override;
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::Delivery>& batch) override;
  // Waits a bounded time for messages still queued (only ever ones already
  // reported as retry: deliver() waits for its own).
  sdk::Status flush() override;
  void stop() override;

  // Raises a fabricated fatal producer error, so tests can check that the
  // producer is replaced and no record is lost. Not synchronized: call it on
  // the thread that calls deliver(), e.g. from the context's stopping().
  sdk::Status raise_fatal_error_for_test(const std::string& reason);

 private:
  void on_delivery(std::uint64_t message_id, rd_kafka_resp_err_t err) override;
  void on_error(rd_kafka_resp_err_t err, const std::string& reason) override;
  void on_log(int level, const std::string& facility, const std::string& message) override;

  sdk::Status open_producer();
  void close_producer(std::chrono::milliseconds flush_wait);
  // Logs a fatal producer error once and drops the producer; the next
  // deliver() creates a new one. True when it did.
  bool drop_if_fatal(const std::string& context);
  // Produces batch[i]; waits (serving callbacks) while the local queue is full.
  rd_kafka_resp_err_t produce_one(const sdk::Delivery& d, std::uint64_t id,
                                  std::chrono::steady_clock::time_point deadline);
  void log(sdk::LogLevel level, const std::string& message);
  void note_error(rd_kafka_resp_err_t err);

  KafkaTargetOptions options_;
  std::vector<ProducerProperty> properties_;
  sdk::TargetContext* ctx_ = nullptr;
  std::mutex mutex_;
  std::unique_ptr<KafkaProducer> producer_;
  bool fatal_ = false;  // the producer raised a fatal error and must be replaced
  bool topic_error_ = false;  // librdkafka marked the topic as failing: refresh its metadata

  // The batch being delivered: message id -> index; reports for other ids
  // belong to batches already answered and are ignored.
  std::uint64_t next_message_id_ = 1;
  std::unordered_map<std::uint64_t, std::size_t> pending_;
  std::vector<sdk::Outcome>* outcomes_ = nullptr;

  // Repeated client errors (e.g. a broker down) are logged once a minute.
  std::string last_error_;
  std::chrono::steady_clock::time_point last_error_at_{};
};

}  // namespace medgate::kafka_adapter
