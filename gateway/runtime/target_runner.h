// Delivers one target's spool on its own thread: reads batches from the spool
// cursor, calls Target::deliver() (guarded), acknowledges delivered and
// dead-lettered records, and retries the rest with exponential backoff and
// jitter, behind a circuit breaker (probes of one record while the peer is
// down). A slow or failing target delays only itself.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "admin/latency_histogram.h"
#include "audit/audit_chain.h"
#include "config/gateway_config.h"
#include "crypto/key_store.h"
#include "medgate/sdk/event_counter.h"
#include "medgate/sdk/handles.h"
#include "medgate/sdk/plugin.h"
#include "runtime/circuit_breaker.h"
#include "runtime/delivery_pacer.h"
#include "runtime/stop_signal.h"
#include "spool/dead_letters.h"
#include "spool/target_spool.h"

namespace medgate::runtime {

struct TargetCounters {
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> dead_lettered{0};
  std::atomic<std::uint64_t> retries{0};
  std::atomic<std::uint64_t> deliveries{0};  // Target::deliver() calls
  // From durable acceptance in the spool to the target's answer "delivered".
  admin::LatencyHistogram latency;
  // accepted_unix_ms of the oldest record not yet delivered (0: none waiting).
  std::atomic<std::int64_t> oldest_waiting_ms{0};
  std::atomic<bool> circuit_open{false};
  std::atomic<std::uint64_t> handles_opened{0};
  std::atomic<std::uint64_t> handles_refused{0};
};

class TargetRunner : public sdk::TargetContext, public sdk::HandleOpener, public sdk::EventCounter {
 public:
  // `keys` opens handles for a target configured with open_handles (else
  // unused); every opening is first made durable in `audit`.
  TargetRunner(const config::TargetConfig& config, std::shared_ptr<sdk::Target> target, std::string state_dir,
               spool::TargetSpool& spool, spool::DeadLetters& dlq, const crypto::KeyStore& keys,
               audit::AuditChain& audit);
  ~TargetRunner() override;
  void start();
  // Stopping is two-phase so that all targets drain at once:
  // begin_drain() makes the runner deliver what is spooled until the spool is
  // empty or `deadline` passes, then flush and stop the target;
  // finish_drain() waits for that until the deadline, then tells the plugin
  // to stop (TargetContext::stopping/wait_for_stop) and waits `grace` more.
  // It returns false when the plugin is still inside one of its calls: the
  // thread cannot be joined and the process must exit without destroying
  // this runner (what is not acknowledged stays spooled).
  void begin_drain(std::chrono::steady_clock::time_point deadline);
  bool finish_drain(std::chrono::milliseconds grace);

  // sdk::TargetContext
  void log(sdk::LogLevel level, std::string_view message) override;
  const std::string& instance_name() const override { return config_.name; }
  const std::string& state_dir() const override { return state_dir_; }
  bool stopping() const override { return stop_.requested(); }
  bool wait_for_stop(std::chrono::milliseconds d) override { return stop_.wait_for(d); }
  // sdk::HandleOpener: only for targets with open_handles: true, only while
  // Target::deliver() runs, only for a handle one of the records being
  // delivered holds, and only once a handle_open audit entry naming that
  // record is durable (else unavailable: the target retries later).
  sdk::Status open_handle(std::string_view handle, std::string& plain) override;

  // sdk::EventCounter: the plugin's own counters, exported in /metrics.
  sdk::Status count(std::string_view event, std::uint64_t n) override { return events_.count(event, n); }

  const TargetCounters& counters() const { return counters_; }
  const sdk::EventCounts& events() const { return events_; }
  const std::string& plugin() const { return config_.plugin; }
  bool running() const { return thread_.joinable() && !finished_.requested(); }
  bool idle() const { return idle_; }

 private:
  void loop();  // run(), then signals finished_
  void run();
  // Delivers the first `count` entries of `batch` once; returns how many
  // leading entries are done (delivered or dead-lettered); sets
  // `retry_reason` when the target asked for a retry.
  std::size_t deliver_once(std::vector<spool::TargetSpool::ReadEntry>& batch, std::size_t count,
                           std::string& retry_reason);
  std::chrono::milliseconds next_backoff();

  const config::TargetConfig config_;
  std::shared_ptr<sdk::Target> target_;
  const std::string state_dir_;
  spool::TargetSpool& spool_;
  spool::DeadLetters& dlq_;
  const crypto::KeyStore& keys_;
  audit::AuditChain& audit_;
  std::mutex delivering_mu_;                                // guards the two below
  const std::vector<sdk::Delivery>* delivering_ = nullptr;  // while Target::deliver() runs
  std::size_t locate_hint_ = 0;
  StopSignal stop_;
  StopSignal unpaced_;  // set by a drain or a stop: no more pacing waits
  std::atomic<bool> draining_{false};
  std::atomic<bool> idle_{false};
  std::chrono::steady_clock::time_point deadline_{};
  StopSignal finished_;  // set when loop() has returned
  std::thread thread_;
  TargetCounters counters_;
  sdk::EventCounts events_;
  std::chrono::milliseconds backoff_{0};
  CircuitBreaker circuit_;
  DeliveryPacer pacer_;
  std::minstd_rand jitter_{std::random_device{}()};
};

}  // namespace medgate::runtime
