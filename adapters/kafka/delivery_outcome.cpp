#include "delivery_outcome.h"

#include "kafka_producer.h"

namespace medgate::kafka_adapter {

sdk::Outcome outcome_for(rd_kafka_resp_err_t err, const std::string& topic) {
  using Kind = sdk::Outcome::Kind;
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return {Kind::delivered, {}};
    // Permanent for this record: sending it again gets the same answer.
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
      return {Kind::rejected, "kafka: record larger than message.max.bytes of the producer or topic (" +
                                  error_text(err) + ")"};
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
      return {Kind::rejected, "kafka: the broker refused the record (" + error_text(err) + ")"};
    // librdkafka reports this only once the cluster's metadata says the topic
    // does not exist (and auto-creation is off or failed).
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      return {Kind::rejected, "kafka: topic " + topic + " does not exist (" + error_text(err) + ")"};
    // Everything else is about the connection, the cluster or the producer,
    // not the record: timeouts, brokers down, full queues, authorization and
    // authentication, fatal producer errors, purged messages.
    default:
      return {Kind::retry, "kafka: " + error_text(err)};
  }
}

}  // namespace medgate::kafka_adapter
