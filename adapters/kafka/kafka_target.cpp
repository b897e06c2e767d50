#include "kafka_target.h"

#include <algorithm>

#include "delivery_outcome.h"

namespace medgate::kafka_adapter {
namespace {

using sdk::Outcome;
using sdk::Status;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long past delivery_timeout deliver() still waits for reports: an
// in-flight request is only given up when the broker's answer times out.
constexpr milliseconds kReportGrace{5000};
constexpr milliseconds kPollStep{100};
// flush() and stop() only ever find records already answered `retry` (deliver()
// waits for its own), so they wait briefly: the host may be shutting down.
constexpr milliseconds kMaxFlushWait{1000};
constexpr milliseconds kMaxStopWait{2000};
constexpr milliseconds kMetadataWait{5000};
constexpr std::chrono::seconds kRepeatedErrorInterval{60};

milliseconds until(Clock::time_point deadline) {
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

}  // namespace

KafkaTarget::KafkaTarget(KafkaTargetOptions options) : options_(std::move(options)) {}

KafkaTarget::~KafkaTarget() {
  std::lock_guard lock(mutex_);
  close_producer(milliseconds(0));
}

void KafkaTarget::log(sdk::LogLevel level, const std::string& message) {
  if (ctx_) ctx_->log(level, message);
}

Status KafkaTarget::start(sdk::TargetContext& ctx) {
  std::lock_guard lock(mutex_);
  ctx_ = &ctx;
  if (Status s = options_.producer_properties(properties_); !s.ok()) return s;
  if (Status s = open_producer(); !s.ok()) return s;
  log(sdk::LogLevel::info, "producing to topic " + options_.topic + " at " + options_.brokers +
                               " (idempotent producer, acks=all, key = patient token)");
  return Status::Ok();
}

Status KafkaTarget::open_producer() {
  fatal_ = false;
  return KafkaProducer::create(properties_, options_.topic, this, producer_);
}

void KafkaTarget::close_producer(milliseconds flush_wait) {
  if (!producer_) return;
  if (flush_wait.count() > 0 && !producer_->flush(flush_wait))
    log(sdk::LogLevel::warning, "kafka: " + std::to_string(producer_->outstanding()) +
                                    " messages not acknowledged when the producer closed; they are retried from "
                                    "the spool");
  // Whatever is left was answered `retry` already: drop it rather than wait.
  producer_->purge();
  producer_.reset();
}

bool KafkaTarget::drop_if_fatal(const std::string& context) {
  if (!producer_) return false;
  std::string error = producer_->fatal_error();
  if (error.empty() && !fatal_) return false;
  // An idempotent producer cannot keep its ordering guarantee after a fatal
  // error; a new producer (new producer id) starts clean.
  log(sdk::LogLevel::error, "kafka: fatal producer error (" + error + "), " + context +
                                "; replacing the producer");
  close_producer(milliseconds(0));
  return true;
}

rd_kafka_resp_err_t KafkaTarget::produce_one(const sdk::Delivery& d, std::uint64_t id, Clock::time_point deadline) {
  for (;;) {
    rd_kafka_resp_err_t err = producer_->produce(d.partition_key, d.payload, d.idempotency_key, id);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return err;
    // The local queue drains as reports are served: make room, then try again.
    if (Clock::now() >= deadline || (ctx_ && ctx_->stopping())) return err;
    producer_->poll(std::min(kPollStep, until(deadline)));
  }
}

std::vector<Outcome> KafkaTarget::deliver(const std::vector<sdk::Delivery>& batch) {
  std::lock_guard lock(mutex_);
  std::vector<Outcome> outcomes(batch.size(), Outcome{Outcome::Kind::retry, "kafka: not sent"});
  if (batch.empty()) return outcomes;
  if (ctx_ && ctx_->stopping()) {
    for (Outcome& o : outcomes) o.reason = "kafka: stopping";
    return outcomes;
  }
  drop_if_fatal("before a delivery");
  if (!producer_) {
    if (Status s = open_producer(); !s.ok()) {
      for (Outcome& o : outcomes) o.reason = "kafka: cannot create the producer: " + s.message();
      return outcomes;
    }
  }

  const Clock::time_point started = Clock::now();
  outcomes_ = &outcomes;
  pending_.clear();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::uint64_t id = next_message_id_++;
    pending_.emplace(id, i);
    rd_kafka_resp_err_t err = produce_one(batch[i], id, started + options_.delivery_timeout);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    pending_.erase(id);
    note_error(err);
    outcomes[i] = outcome_for(err, options_.topic);
    if (outcomes[i].kind == Outcome::Kind::rejected) continue;
    // This record could not even be queued: later ones wait for it, so that
    // a patient's records cannot overtake each other.
    for (std::size_t j = i + 1; j < batch.size(); ++j)
      outcomes[j].reason = "kafka: not sent: an earlier record of the batch is retried first (" + outcomes[i].reason + ")";
    break;
  }

  // Every queued record gets a report by message.timeout.ms (= delivery_timeout).
  const Clock::time_point deadline = started + options_.delivery_timeout + kReportGrace;
  std::string unanswered = "kafka: no delivery report within " +
                           std::to_string((options_.delivery_timeout + kReportGrace).count()) + " ms";
  while (!pending_.empty()) {
    if (!fatal_ && !producer_->fatal_error().empty()) fatal_ = true;
    if (fatal_) {
      unanswered = "kafka: the producer raised a fatal error and is replaced";
      break;
    }
    if (ctx_ && ctx_->stopping()) {
      unanswered = "kafka: stopping before the brokers acknowledged";
      break;
    }
    if (Clock::now() >= deadline) break;
    producer_->poll(std::min(kPollStep, until(deadline)));
  }
  if (topic_error_ && pending_.empty()) {
    // librdkafka keeps failing the topic until it next fetches metadata
    // (every 5 minutes by default): fetch now, so that a retry succeeds as
    // soon as the cause (an ACL, a missing topic) is fixed.
    topic_error_ = false;
    producer_->refresh_metadata(std::min(kMetadataWait, options_.delivery_timeout));
  }
  if (!fatal_ && !producer_->fatal_error().empty()) fatal_ = true;
  for (const auto& [id, index] : pending_) outcomes[index] = {Outcome::Kind::retry, unanswered};
  if (fatal_) {
    // librdkafka may already have purged the queue (reports _PURGE_QUEUE): name the cause.
    for (Outcome& o : outcomes)
      if (o.kind == Outcome::Kind::retry) o.reason = "kafka: the producer raised a fatal error and is replaced";
  }
  pending_.clear();
  outcomes_ = nullptr;

  drop_if_fatal(std::to_string(std::count_if(outcomes.begin(), outcomes.end(),
                                             [](const Outcome& o) { return o.kind == Outcome::Kind::retry; })) +
                " records of the batch are retried");

  std::size_t delivered = 0, rejected = 0;
  for (const Outcome& o : outcomes) {
    if (o.kind == Outcome::Kind::delivered) ++delivered;
    if (o.kind == Outcome::Kind::rejected) ++rejected;
  }
  if (rejected > 0)
    log(sdk::LogLevel::warning, "kafka: " + std::to_string(rejected) + " of " + std::to_string(batch.size()) +
                                    " records rejected for good (dead-letter queue)");
  if (delivered + rejected < batch.size()) {
    auto first = std::find_if(outcomes.begin(), outcomes.end(),
                              [](const Outcome& o) { return o.kind == Outcome::Kind::retry; });
    log(sdk::LogLevel::warning, "kafka: " + std::to_string(batch.size() - delivered - rejected) + " of " +
                                    std::to_string(batch.size()) + " records to retry (" + first->reason + ")");
  }
  return outcomes;
}

Status KafkaTarget::flush() {
  std::lock_guard lock(mutex_);
  if (!producer_) return Status::Ok();
  producer_->poll(milliseconds(0));  // serves error and log events while idle
  if (producer_->outstanding() > 0) producer_->flush(kMaxFlushWait);
  drop_if_fatal("while idle");
  return Status::Ok();
}

void KafkaTarget::stop() {
  std::lock_guard lock(mutex_);
  // Once the host asked to stop, it waits for no one: drop what is left.
  close_producer(ctx_ && ctx_->stopping() ? milliseconds(0) : kMaxStopWait);
}

Status KafkaTarget::raise_fatal_error_for_test(const std::string& reason) {
  if (!producer_) return Status::Precondition("no producer");
  rd_kafka_resp_err_t err = producer_->raise_test_fatal_error(reason);
  return err == RD_KAFKA_RESP_ERR_NO_ERROR ? Status::Ok() : Status::Internal(error_text(err));
}

void KafkaTarget::on_delivery(std::uint64_t message_id, rd_kafka_resp_err_t err) {
  if (!outcomes_) return;
  auto it = pending_.find(message_id);
  if (it == pending_.end()) return;  // a record of a batch already answered
  (*outcomes_)[it->second] = outcome_for(err, options_.topic);
  pending_.erase(it);
  note_error(err);
}

void KafkaTarget::note_error(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      topic_error_ = true;
      break;
    default:
      break;
  }
}

void KafkaTarget::on_error(rd_kafka_resp_err_t err, const std::string& reason) {
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    fatal_ = true;  // deliver() or flush() logs it once and replaces the producer
    return;
  }
  const auto now = Clock::now();
  if (reason == last_error_ && now - last_error_at_ < kRepeatedErrorInterval) return;
  last_error_ = reason;
  last_error_at_ = now;
  log(sdk::LogLevel::warning, "kafka: " + error_text(err) + ": " + reason);
}

void KafkaTarget::on_log(int level, const std::string& facility, const std::string& message) {
  // FAIL, ERROR and FATAL lines repeat what on_error and deliver() report.
  sdk::LogLevel l = sdk::LogLevel::debug;
  if (level <= 4 && facility != "FAIL" && facility != "ERROR" && facility != "FATAL")
    l = level <= 3 ? sdk::LogLevel::error : sdk::LogLevel::warning;
  else if (level == 5)
    l = sdk::LogLevel::info;
  log(l, "librdkafka " + facility + ": " + message);
}

}  // namespace medgate::kafka_adapter
