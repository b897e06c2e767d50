// Runs one source instance on its own thread: calls Source::run() (guarded),
// restarts it with a backoff when it fails, and gives it the SourceContext
// through which its records enter the pipeline.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "medgate/sdk/emit_units.h"
#include "medgate/sdk/event_counter.h"
#include "medgate/sdk/ingress.h"
#include "medgate/sdk/plugin.h"
#include "pipeline/pipeline.h"
#include "runtime/http_ingress.h"
#include "runtime/stop_signal.h"

namespace medgate::runtime {

struct SourceCounters {
  std::atomic<std::uint64_t> accepted{0};          // records durable for their targets
  std::atomic<std::uint64_t> rejected{0};          // records the gateway refused (quarantined), or dropped with
                                                   // their unit (emit_units)
  std::atomic<std::uint64_t> quarantined_raw{0};   // raw inputs the source quarantined itself
  std::atomic<std::uint64_t> batches_refused{0};   // emits refused as a whole (e.g. spool full)
};

class SourceRunner : public sdk::SourceContext,
                     public sdk::HttpIngress,
                     public sdk::UnitEmitter,
                     public sdk::EventCounter {
 public:
  // `ingress` may be null (no `ingress:` in the config): http_ingress() then gives sources nothing.
  SourceRunner(std::string name, std::string plugin, std::shared_ptr<sdk::Source> source, std::string state_dir,
               pipeline::Pipeline& pipeline, HttpIngressServer* ingress = nullptr);
  ~SourceRunner() override;
  void start();
  void request_stop() { stop_.request(); }
  void join();
  // Joins the thread if the source returns within `grace` of now; false when
  // its plugin is still inside run() (the caller must then not destroy this).
  bool join_within(std::chrono::milliseconds grace);

  // sdk::SourceContext
  sdk::EmitResult emit(std::vector<sdk::Record> records) override;
  sdk::Status quarantine(std::string_view raw, std::string_view reason) override;
  void log(sdk::LogLevel level, std::string_view message) override;
  const std::string& instance_name() const override { return name_; }
  const std::string& state_dir() const override { return state_dir_; }
  bool stopping() const override { return stop_.requested(); }
  bool wait_for_stop(std::chrono::milliseconds d) override { return stop_.wait_for(d); }

  // sdk::UnitEmitter: emit() in units committed all or nothing.
  sdk::EmitResult emit_units(std::vector<sdk::Record> records, std::vector<std::size_t> unit_sizes) override;

  // sdk::HttpIngress: paths on the host's ingress server, unmounted when the source stops.
  sdk::Status mount(std::string_view prefix, sdk::HttpHandler handler) override;
  void unmount(std::string_view prefix) override;

  // sdk::EventCounter: the plugin's own counters, exported in /metrics.
  sdk::Status count(std::string_view event, std::uint64_t n) override { return events_.count(event, n); }

  std::uint64_t failures() const { return failures_; }
  const SourceCounters& counters() const { return counters_; }
  const sdk::EventCounts& events() const { return events_; }
  const std::string& plugin() const { return plugin_; }

 private:
  void loop();
  // emit() (no unit sizes: one record per unit) and emit_units().
  sdk::EmitResult submit(std::vector<sdk::Record> records, std::vector<std::size_t> unit_sizes);

  const std::string name_, plugin_;
  std::shared_ptr<sdk::Source> source_;
  const std::string state_dir_;
  pipeline::Pipeline& pipeline_;
  HttpIngressServer* ingress_;
  StopSignal stop_;
  StopSignal finished_;  // the thread is done with the plugin
  std::thread thread_;
  std::atomic<std::uint64_t> failures_{0};
  SourceCounters counters_;
  sdk::EventCounts events_;
};

}  // namespace medgate::runtime
