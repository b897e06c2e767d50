#include "runtime/target_runner.h"

#include <algorithm>

#include "crypto/deterministic_cipher.h"
#include "plugin_host/boundary_guard.h"
#include "runtime/handle_locator.h"
#include "runtime/log.h"

namespace medgate::runtime {
using namespace std::chrono;

TargetRunner::TargetRunner(const config::TargetConfig& config, std::shared_ptr<sdk::Target> target,
                           std::string state_dir, spool::TargetSpool& spool, spool::DeadLetters& dlq,
                           const crypto::KeyStore& keys, audit::AuditChain& audit)
    : config_(config),
      target_(std::move(target)),
      state_dir_(std::move(state_dir)),
      spool_(spool),
      dlq_(dlq),
      keys_(keys),
      audit_(audit),
      circuit_(config.circuit_failures),
      pacer_(milliseconds(config.delivery_interval_ms), config.batch_max) {}

TargetRunner::~TargetRunner() {
  stop_.request();
  unpaced_.request();
  spool_.wake();
  if (thread_.joinable()) thread_.join();
}

namespace {
constexpr milliseconds kIdleFlushInterval{1000};
}  // namespace

sdk::Status TargetRunner::open_handle(std::string_view handle, std::string& plain) {
  plain.clear();
  auto refuse = [&](sdk::Status s) {
    ++counters_.handles_refused;
    return s;
  };
  if (!config_.open_handles)
    return refuse(sdk::Status(sdk::StatusCode::failed_precondition,
                              "target '" + config_.name + "' may not open encrypted handles (set open_handles: true on "
                              "an outreach target that must reach the person)"));
  HandlePlace place;
  {
    std::lock_guard<std::mutex> lock(delivering_mu_);
    if (!delivering_)
      return refuse(sdk::Status(sdk::StatusCode::failed_precondition,
                                "target '" + config_.name + "' opened a handle outside deliver(): handles are opened "
                                "only for the records of the batch being delivered"));
    if (!locate_handle(*delivering_, handle, locate_hint_, place))
      return refuse(sdk::Status::Invalid("the handle is in none of the records being delivered to target '" +
                                         config_.name + "'"));
  }
  if (place.record_id.empty())  // the pipeline gives every record one; the audit entry must name it
    return refuse(sdk::Status::Invalid("the record holding the handle has no record_id"));
  if (sdk::Status s = keys_.open_handle(handle, plain); !s.ok()) return refuse(s);
  audit::HandleOpenAudit entry{config_.name, std::move(place.record_id), std::move(place.source),
                               std::move(place.patient_token), std::move(place.field), {}};
  std::string sealed;
  crypto::parse_handle(handle, entry.key_id, sealed);  // it opened, so it parses
  if (sdk::Status s = audit_.append_handle_open(entry); !s.ok()) {
    std::fill(plain.begin(), plain.end(), '\0');
    plain.clear();
    return refuse(sdk::Status::Unavailable("the opening could not be audited, so the handle stays closed: " +
                                           s.message()));
  }
  ++counters_.handles_opened;
  return sdk::Status::Ok();
}

void TargetRunner::start() { thread_ = std::thread([this] { loop(); }); }

void TargetRunner::begin_drain(steady_clock::time_point deadline) {
  deadline_ = deadline;
  draining_ = true;
  unpaced_.request();
  spool_.wake();
}

bool TargetRunner::finish_drain(milliseconds grace) {
  if (!thread_.joinable()) return true;
  auto left = std::chrono::duration_cast<milliseconds>(deadline_ - steady_clock::now());
  if (!finished_.wait_for(std::max(left, milliseconds(0)))) {
    stop_.request();
    if (!finished_.wait_for(grace)) return false;
  }
  thread_.join();
  return true;
}

void TargetRunner::log(sdk::LogLevel level, std::string_view message) {
  runtime::log(level, "target " + config_.name, message);
}

milliseconds TargetRunner::next_backoff() {
  backoff_ = backoff_.count() == 0 ? milliseconds(config_.retry_initial_ms)
                                   : std::min(backoff_ * 2, milliseconds(config_.retry_max_ms));
  // Full jitter between half and all of the backoff, so retries of many
  // gateways against one peer spread out.
  auto half = backoff_.count() / 2;
  return milliseconds(half + static_cast<long>(jitter_() % static_cast<unsigned long>(half + 1)));
}

std::size_t TargetRunner::deliver_once(std::vector<spool::TargetSpool::ReadEntry>& batch, std::size_t count,
                                       std::string& retry_reason) {
  std::vector<sdk::Delivery> deliveries;
  deliveries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto& e = batch[i].entry;
    deliveries.push_back({e.idempotency_key, e.partition_key, e.payload});
  }
  std::vector<sdk::Outcome> outcomes;
  {
    std::lock_guard<std::mutex> lock(delivering_mu_);
    delivering_ = &deliveries;
    locate_hint_ = 0;
  }
  ++counters_.deliveries;
  sdk::Status s = plugin_host::guarded(config_.plugin, "Target::deliver", [&] { outcomes = target_->deliver(deliveries); });
  {
    std::lock_guard<std::mutex> lock(delivering_mu_);
    delivering_ = nullptr;
  }
  if (!s.ok()) {
    retry_reason = s.to_string();
    return 0;
  }
  if (outcomes.size() != deliveries.size()) {
    retry_reason = "plugin '" + config_.plugin + "' answered " + std::to_string(outcomes.size()) + " outcomes for " +
                   std::to_string(deliveries.size()) + " records";
    return 0;
  }
  const std::int64_t now_ms =
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  std::size_t done = 0;
  for (; done < outcomes.size(); ++done) {
    const auto& o = outcomes[done];
    if (o.kind == sdk::Outcome::Kind::retry) {
      retry_reason = o.reason.empty() ? "target asked to retry" : o.reason;
      break;
    }
    if (o.kind == sdk::Outcome::Kind::rejected) {
      if (sdk::Status d = dlq_.add(config_.name, batch[done].entry, o.reason.empty() ? "rejected" : o.reason); !d.ok()) {
        retry_reason = "cannot write the dead-letter queue: " + d.message();
        break;
      }
      ++counters_.dead_lettered;
    } else {
      ++counters_.delivered;
      counters_.latency.record(microseconds((now_ms - batch[done].entry.accepted_unix_ms) * 1000));
    }
  }
  return done;
}

void TargetRunner::loop() {
  run();
  finished_.request();
}

void TargetRunner::run() {
  // Start the target; a failing start is retried like a failing delivery.
  for (;;) {
    sdk::Status s = plugin_host::guarded(config_.plugin, "Target::start", [&] { return target_->start(*this); });
    if (s.ok()) break;
    log(sdk::LogLevel::error, s.to_string());
    if (stop_.wait_for(next_backoff()) || draining_) return;
  }
  backoff_ = milliseconds(0);
  std::vector<spool::TargetSpool::ReadEntry> batch;
  auto last_flush = steady_clock::now();
  while (!stop_.requested()) {
    if (draining_ && steady_clock::now() >= deadline_) break;
    if (batch.empty()) {
      // delivery_interval: what becomes readable meanwhile joins this read,
      // unless draining or stopping (unpaced_).
      const auto now = steady_clock::now();
      if (const auto due = pacer_.next_read(now); due > now) unpaced_.wait_for(ceil<milliseconds>(due - now));
      if (stop_.requested()) break;
      const auto read_at = steady_clock::now();
      if (sdk::Status s = spool_.read(config_.batch_max, batch); !s.ok()) {
        log(sdk::LogLevel::error, "spool: " + s.message());
        if (stop_.wait_for(next_backoff())) break;
        continue;
      }
      pacer_.read(read_at, batch.size());
      if (batch.empty()) {
        idle_ = true;
        counters_.oldest_waiting_ms = 0;
        if (draining_) break;
        // Idle checkpoints: lets a target close what is time-bound (the file
        // target rotates its open file once rotate_interval has passed).
        if (steady_clock::now() - last_flush >= kIdleFlushInterval) {
          if (sdk::Status s = plugin_host::guarded(config_.plugin, "Target::flush", [&] { return target_->flush(); });
              !s.ok())
            log(sdk::LogLevel::error, s.to_string());
          last_flush = steady_clock::now();
        }
        spool_.wait_for_data(milliseconds(500));
        continue;
      }
      idle_ = false;
      counters_.oldest_waiting_ms = batch.front().entry.accepted_unix_ms;
    }
    std::string retry_reason;
    const std::size_t attempt = circuit_.batch_limit(batch.size());
    std::size_t done = deliver_once(batch, attempt, retry_reason);
    if (done > 0) {
      if (sdk::Status s = spool_.acknowledge(batch[done - 1].end); !s.ok())
        log(sdk::LogLevel::error, "cannot save the delivery cursor: " + s.message());
      batch.erase(batch.begin(), batch.begin() + static_cast<long>(done));
      counters_.oldest_waiting_ms = batch.empty() ? 0 : batch.front().entry.accepted_unix_ms;
    }
    switch (circuit_.record(done > 0)) {
      case CircuitBreaker::Change::opened:
        counters_.circuit_open = true;
        log(sdk::LogLevel::error, "circuit open after " + std::to_string(circuit_.consecutive_failures()) +
                                      " failed attempts in a row (" + retry_reason +
                                      "); probing with one record at a time until it delivers");
        break;
      case CircuitBreaker::Change::closed:
        counters_.circuit_open = false;
        log(sdk::LogLevel::info, "circuit closed: the probe was delivered; back to batches");
        break;
      case CircuitBreaker::Change::none:
        break;
    }
    if (!retry_reason.empty()) {
      ++counters_.retries;
      auto wait = next_backoff();
      // While the circuit is open its opening said it all: keep the log quiet.
      log(circuit_.open() ? sdk::LogLevel::debug : sdk::LogLevel::warning,
          "delivery failed (" + retry_reason + "); " + std::to_string(batch.size()) + " records will be retried in " +
              std::to_string(wait.count()) + " ms");
      if (draining_ && steady_clock::now() + wait >= deadline_) break;
      if (stop_.wait_for(wait)) break;
    } else {
      backoff_ = milliseconds(0);
    }
  }
  if (sdk::Status s = plugin_host::guarded(config_.plugin, "Target::flush", [&] { return target_->flush(); }); !s.ok())
    log(sdk::LogLevel::error, s.to_string());
  if (sdk::Status s = plugin_host::guarded(config_.plugin, "Target::stop", [&] { target_->stop(); }); !s.ok())
    log(sdk::LogLevel::error, s.to_string());
}

}  // namespace medgate::runtime
