// The gateway as the daemon runs it: one Gateway at a time, replaced on
// reload (SIGHUP or POST /api/v1/reload). Reload checks the new config
// completely first and keeps the running gateway when it has any problem.
// Otherwise the old gateway stops the way it stops at shutdown, minus the
// wait for its backlog (sources stop taking input, accepted records are
// spooled, each target finishes its current batch); the new one starts on
// the same state directory and resumes every cursor. Nothing accepted is
// lost, and nothing delivered is delivered again. Should the new gateway fail
// to start (say, a changed key file), the previous config starts again.
//
// Reload cannot move state_dir (the spool, cursors and dead letters live
// there), the admin API's listen address, or swap a plugin library already
// loaded: those need a restart, and a reload that changes them is refused or
// (listen) keeps the old value with a warning.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "admin/admin_view.h"
#include "plugin_host/plugin_registry.h"
#include "runtime/gateway.h"

namespace medgate::runtime {

class LiveGateway : public admin::AdminView {
 public:
  // Around each reload: `begin` before anything changes (systemd RELOADING=1),
  // `end` after, with the new config when it was applied (admin tokens are
  // re-read from it) or nullptr.
  struct ReloadHooks {
    std::function<void()> begin;
    std::function<void(const config::GatewayConfig* applied)> end;
  };

  // Creates and starts the gateway for `checked` (plugins already in `registry`).
  static std::unique_ptr<LiveGateway> start(std::unique_ptr<plugin_host::PluginRegistry> registry,
                                            CheckedConfig checked, std::string& error);
  ~LiveGateway() override;

  void set_reload_hooks(ReloadHooks hooks) { hooks_ = std::move(hooks); }
  // Stops for good (see Gateway::stop); returns the stuck targets.
  std::vector<std::string> stop(std::chrono::milliseconds drain_timeout);
  std::vector<std::string> summary() const;
  // The running gateway's pipeline progress (nothing queued once it stopped).
  PipelineProgress progress() const;

  // admin::AdminView
  bool ready() const override;
  void write_metrics(admin::PrometheusText& out) const override;
  sdk::Value status() const override;
  sdk::Value plugins() const override;
  sdk::Value routes() const override;
  admin::ReloadReport reload() override;
  sdk::Value quarantine_summary() const override;
  sdk::Status quarantine_entries(const std::string& source, std::size_t offset, std::size_t limit,
                                 sdk::Value& out) const override;
  sdk::Status quarantine_open(const std::string& source, std::size_t entry, const std::string& role,
                              sdk::Value& out) override;
  sdk::Status quarantine_drop(const std::string& source, const std::vector<std::size_t>& entries,
                              const std::string& role, sdk::Value& out) override;
  sdk::Value dlq_summary() const override;
  sdk::Status dlq_entries(const std::string& target, std::size_t offset, std::size_t limit,
                          sdk::Value& out) const override;
  sdk::Status dlq_replay(const admin::DeadLetterSelection& which,
                         const std::function<void(std::uint64_t, std::uint64_t)>& progress,
                         std::uint64_t& replayed) override;
  sdk::Status dlq_drop(const admin::DeadLetterSelection& which, std::uint64_t& dropped) override;

 private:
  LiveGateway() = default;
  admin::ReloadReport refuse(std::string message, std::vector<std::string> problems = {});
  admin::ReloadReport replace(std::unique_ptr<plugin_host::PluginRegistry> registry, CheckedConfig next);

  std::string config_path_;
  std::string admin_listen_;
  std::unique_ptr<plugin_host::PluginRegistry> registry_;  // outlives gateway_: its plugins' objects
  std::unique_ptr<Gateway> gateway_;
  mutable std::shared_mutex mu_;  // shared: reads and dead-letter work; exclusive: swapping gateway_
  std::mutex reload_mu_;          // one reload or stop at a time
  bool stopped_ = false;
  ReloadHooks hooks_;
  std::uint64_t reloads_applied_ = 0, reloads_refused_ = 0;
  bool last_reload_ok_ = true;
  std::chrono::system_clock::time_point last_reload_at_{};
};

}  // namespace medgate::runtime
