#include "kafka_producer.h"

#include <cstdint>

namespace medgate::kafka_adapter {
namespace {

using sdk::Status;

ProducerEvents* events_of(const rd_kafka_t* rk) { return static_cast<ProducerEvents*>(rd_kafka_opaque(rk)); }

void on_delivery_report(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  if (auto* events = static_cast<ProducerEvents*>(opaque))
    events->on_delivery(static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(m->_private)), m->err);
}

void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  if (auto* events = static_cast<ProducerEvents*>(opaque))
    events->on_error(static_cast<rd_kafka_resp_err_t>(err), reason ? reason : "");
}

void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  if (ProducerEvents* events = events_of(rk)) events->on_log(level, facility ? facility : "", message ? message : "");
}

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};

}  // namespace

std::string error_text(rd_kafka_resp_err_t err) {
  return std::string(rd_kafka_err2name(err)) + ": " + rd_kafka_err2str(err);
}

Status KafkaProducer::create(const std::vector<ProducerProperty>& properties, const std::string& topic,
                             ProducerEvents* events, std::unique_ptr<KafkaProducer>& out) {
  std::unique_ptr<rd_kafka_conf_t, ConfDeleter> conf(rd_kafka_conf_new());
  char errstr[512];
  for (const ProducerProperty& p : properties) {
    errstr[0] = '\0';
    if (rd_kafka_conf_set(conf.get(), p.key.c_str(), p.value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      // librdkafka's message may quote the value: keep it out for secrets.
      if (p.secret) return Status::Invalid(p.option + ": librdkafka refused the value of " + p.key);
      if (p.option == "properties") return Status::Invalid("properties: \"" + p.key + "=" + p.value + "\": " + errstr);
      return Status::Invalid(p.option + ": " + errstr);
    }
  }
  rd_kafka_conf_set_opaque(conf.get(), events);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &on_delivery_report);
  rd_kafka_conf_set_error_cb(conf.get(), &on_error);
  rd_kafka_conf_set_log_cb(conf.get(), &on_log);
  // Log lines wait in a queue until poll() serves them on the caller's thread.
  if (rd_kafka_conf_set(conf.get(), "log.queue", "true", errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
    return Status::Internal(std::string("log.queue: ") + errstr);

  errstr[0] = '\0';
  // rd_kafka_new takes the conf only on success.
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof errstr);
  if (!rk) return Status::Invalid(std::string("librdkafka refused the producer configuration: ") + errstr);
  conf.release();
  rd_kafka_set_log_queue(rk, nullptr);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (!rkt) {
    rd_kafka_resp_err_t err = rd_kafka_last_error();
    rd_kafka_destroy(rk);
    return Status::Invalid("topic " + topic + ": " + error_text(err));
  }
  out.reset(new KafkaProducer(rk, rkt));
  return Status::Ok();
}

KafkaProducer::~KafkaProducer() {
  rd_kafka_topic_destroy(topic_);
  rd_kafka_destroy(rk_);
}

rd_kafka_resp_err_t KafkaProducer::produce(std::string_view key, std::string_view value,
                                           std::string_view idempotency_key, std::uint64_t message_id) {
  // Copies key, value and header, so the caller's buffers may go at once.
  return rd_kafka_producev(
      rk_, RD_KAFKA_V_RKT(topic_), RD_KAFKA_V_PARTITION(RD_KAFKA_PARTITION_UA), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_KEY(key.empty() ? nullptr : key.data(), key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_HEADER(kIdempotencyHeader.data(), idempotency_key.data(),
                        static_cast<ssize_t>(idempotency_key.size())),
      RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<std::uintptr_t>(message_id))), RD_KAFKA_V_END);
}

void KafkaProducer::poll(std::chrono::milliseconds wait) { rd_kafka_poll(rk_, static_cast<int>(wait.count())); }

bool KafkaProducer::flush(std::chrono::milliseconds wait) {
  return rd_kafka_flush(rk_, static_cast<int>(wait.count())) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

int KafkaProducer::outstanding() const { return rd_kafka_outq_len(rk_); }

void KafkaProducer::refresh_metadata(std::chrono::milliseconds wait) {
  const rd_kafka_metadata_t* metadata = nullptr;
  if (rd_kafka_metadata(rk_, 0, topic_, &metadata, static_cast<int>(wait.count())) == RD_KAFKA_RESP_ERR_NO_ERROR)
    rd_kafka_metadata_destroy(metadata);
}

void KafkaProducer::purge() { rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT); }

std::string KafkaProducer::fatal_error() const {
  char errstr[512] = "";
  rd_kafka_resp_err_t err = rd_kafka_fatal_error(rk_, errstr, sizeof errstr);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  return std::string(rd_kafka_err2name(err)) + ": " + errstr;
}

rd_kafka_resp_err_t KafkaProducer::raise_test_fatal_error(const std::string& reason) {
  return rd_kafka_test_fatal_error(rk_, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, reason.c_str());
}

}  // namespace medgate::kafka_adapter
