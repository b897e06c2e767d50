// Runs one source instance on its own thread: calls Source::run() (guarded),
// restarts it with a backoff when it fails, and gives it the SourceContext
// through which its records enter the pipeline.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "medgate/sdk/plugin.h"
#include "pipeline/pipeline.h"
#include "runtime/stop_signal.h"

namespace medgate::runtime {

class SourceRunner : public sdk::SourceContext {
 public:
  SourceRunner(std::string name, std::string plugin, std::shared_ptr<sdk::Source> source, std::string state_dir,
               pipeline::Pipeline& pipeline);
  ~SourceRunner() override;
  void start();
  void request_stop() { stop_.request(); }
  void join();

  // sdk::SourceContext
  sdk::EmitResult emit(std::vector<sdk::Record> records) override;
  sdk::Status quarantine(std::string_view raw, std::string_view reason) override;
  void log(sdk::LogLevel level, std::string_view message) override;
  const std::string& instance_name() const override { return name_; }
  const std::string& state_dir() const override { return state_dir_; }
  bool stopping() const override { return stop_.requested(); }
  bool wait_for_stop(std::chrono::milliseconds d) override { return stop_.wait_for(d); }

  std::uint64_t failures() const { return failures_; }

 private:
  void loop();

  const std::string name_, plugin_;
  std::shared_ptr<sdk::Source> source_;
  const std::string state_dir_;
  pipeline::Pipeline& pipeline_;
  StopSignal stop_;
  std::thread thread_;
  std::atomic<std::uint64_t> failures_{0};
};

}  // namespace medgate::runtime
