// The running gateway: wires the checked config into the data path and owns
// every thread. Start order: the audit checkpointer, target runners, pipeline
// workers, then sources. Stop order is the reverse, so that nothing accepted
// is left behind: sources stop taking input, the pipeline finishes queued
// batches (spooled), then targets deliver what is spooled until the drain
// deadline; last, the audit log is closed with a signed checkpoint. Whatever
// is not delivered by then stays in the spool for the next start.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "admin/admin_view.h"
#include "audit/audit_chain.h"
#include "pipeline/pipeline.h"
#include "runtime/audit_checkpointer.h"
#include "runtime/checked_config.h"
#include "runtime/http_ingress.h"
#include "runtime/source_runner.h"
#include "runtime/target_runner.h"
#include "runtime/watchdog_gate.h"
#include "spool/dead_letters.h"
#include "spool/quarantine_store.h"

namespace medgate::runtime {

class Gateway {
 public:
  // Creates plugin objects and opens state; nothing runs yet.
  static std::unique_ptr<Gateway> create(CheckedConfig checked, plugin_host::PluginRegistry& registry,
                                         std::string& error);
  ~Gateway();
  void start();
  // Returns the plugin instances still inside plugin code ("source NAME",
  // "target NAME"): sources that did not return from run() within `grace` of
  // the stop request, targets that did not return within `grace` after the
  // drain deadline (see TargetRunner::finish_drain). When there are any, the
  // Gateway must not be destroyed: the caller exits the process instead.
  std::vector<std::string> stop(std::chrono::milliseconds drain_timeout,
                                std::chrono::milliseconds grace = std::chrono::seconds(5));

  // One line per source and target: counts only, no data.
  std::vector<std::string> summary() const;

  // After stop(): hands the config back (so a failed reload can start the
  // previous one again). The gateway must not be started afterwards.
  CheckedConfig take_config() { return std::move(checked_); }
  const CheckedConfig& checked_config() const { return checked_; }

  // What the admin API shows (gateway_view.cpp): see admin::AdminView.
  bool ready() const;
  // For the watchdog (watchdog_gate.h).
  PipelineProgress progress() const;
  void write_metrics(admin::PrometheusText& out) const;
  sdk::Value status() const;
  sdk::Value plugins() const;
  sdk::Value routes() const;

  // Quarantine (gateway_quarantine.cpp): see admin::AdminView.
  sdk::Value quarantine_summary() const;
  sdk::Status quarantine_entries(const std::string& source, std::size_t offset, std::size_t limit,
                                 sdk::Value& out) const;
  sdk::Status quarantine_open(const std::string& source, std::size_t entry, const std::string& role, sdk::Value& out);
  sdk::Status quarantine_drop(const std::string& source, const std::vector<std::size_t>& entries,
                              const std::string& role, sdk::Value& out);
  // Removes quarantined inputs older than quarantine.retention (none when 0).
  void apply_quarantine_retention(std::chrono::system_clock::time_point now);

  // Dead letters (gateway_dead_letters.cpp): see admin::AdminView.
  sdk::Value dlq_summary() const;
  sdk::Status dlq_entries(const std::string& target, std::size_t offset, std::size_t limit, sdk::Value& out) const;
  // Removes dead letters older than dlq.retention (none when 0), each target's
  // removal audited as a dlq_drop (selection "retention", role "medgated").
  void apply_dlq_retention(std::chrono::system_clock::time_point now);
  sdk::Status dlq_replay(const admin::DeadLetterSelection& which,
                         const std::function<void(std::uint64_t, std::uint64_t)>& progress, std::uint64_t& replayed);
  sdk::Status dlq_drop(const admin::DeadLetterSelection& which, std::uint64_t& dropped);

 private:
  Gateway() = default;

  CheckedConfig checked_;
  std::unique_ptr<pipeline::RecordNormalizer> normalizer_;
  std::unique_ptr<pipeline::PatientLinks> links_;
  std::unique_ptr<pipeline::PatientIdentifier> identifier_;
  std::unique_ptr<spool::SpoolBudget> budget_;
  std::unique_ptr<audit::AuditChain> audit_;
  std::unique_ptr<AuditCheckpointer> checkpointer_;  // after audit_: stops first
  std::unique_ptr<spool::QuarantineStore> quarantine_;
  std::unique_ptr<spool::DeadLetters> dlq_;
  std::map<std::string, std::unique_ptr<spool::TargetSpool>> spools_;
  std::unique_ptr<pipeline::Pipeline> pipeline_;
  std::unique_ptr<HttpIngressServer> ingress_;  // before sources_: they hold a pointer to it
  std::vector<std::unique_ptr<TargetRunner>> targets_;
  std::vector<std::unique_ptr<SourceRunner>> sources_;
  std::atomic<bool> running_{false};
  const plugin_host::PluginRegistry* registry_ = nullptr;
  std::chrono::system_clock::time_point started_at_{};
};

}  // namespace medgate::runtime
