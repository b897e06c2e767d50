#include "runtime/source_runner.h"

#include <algorithm>

#include "plugin_host/boundary_guard.h"
#include "runtime/log.h"

namespace medgate::runtime {

SourceRunner::SourceRunner(std::string name, std::string plugin, std::shared_ptr<sdk::Source> source,
                           std::string state_dir, pipeline::Pipeline& pipeline, HttpIngressServer* ingress)
    : name_(std::move(name)), plugin_(std::move(plugin)), source_(std::move(source)),
      state_dir_(std::move(state_dir)), pipeline_(pipeline), ingress_(ingress) {}

SourceRunner::~SourceRunner() {
  request_stop();
  join();
}

void SourceRunner::start() {
  thread_ = std::thread([this] {
    loop();
    finished_.request();
  });
}

void SourceRunner::join() {
  if (thread_.joinable()) thread_.join();
}

bool SourceRunner::join_within(std::chrono::milliseconds grace) {
  if (!thread_.joinable()) return true;
  if (!finished_.wait_for(grace)) return false;
  thread_.join();
  return true;
}

void SourceRunner::loop() {
  auto backoff = std::chrono::milliseconds(500);
  while (!stop_.requested()) {
    sdk::Status s = plugin_host::guarded(plugin_, "Source::run", [&] { return source_->run(*this); });
    // Whatever the source left mounted stops routing to its code now.
    if (ingress_) ingress_->unmount_all(name_);
    if (stop_.requested()) break;
    ++failures_;
    log(sdk::LogLevel::error, (s.ok() ? std::string("returned before being asked to stop") : s.to_string()) +
                                  "; restarting in " + std::to_string(backoff.count()) + " ms");
    if (stop_.wait_for(backoff)) break;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(60000));
  }
}

sdk::EmitResult SourceRunner::emit(std::vector<sdk::Record> records) { return submit(std::move(records), {}); }

sdk::EmitResult SourceRunner::emit_units(std::vector<sdk::Record> records, std::vector<std::size_t> unit_sizes) {
  if (unit_sizes.empty() && !records.empty())
    return {sdk::Status::Invalid("emit_units: no unit sizes for " + std::to_string(records.size()) + " records"), {}};
  return submit(std::move(records), std::move(unit_sizes));
}

sdk::EmitResult SourceRunner::submit(std::vector<sdk::Record> records, std::vector<std::size_t> unit_sizes) {
  const std::size_t n = records.size();
  const std::vector<std::size_t> sizes = unit_sizes;
  sdk::EmitResult r = pipeline_.submit(name_, std::move(records), std::move(unit_sizes));
  if (!r.status.ok()) {
    ++counters_.batches_refused;
  } else {
    const std::size_t committed = sizes.empty() ? n - r.rejected.size() : sdk::committed_records(sizes, r.rejected);
    counters_.accepted += committed;
    counters_.rejected += n - committed;
  }
  return r;
}

sdk::Status SourceRunner::mount(std::string_view prefix, sdk::HttpHandler handler) {
  if (!ingress_)
    return sdk::Status::Precondition("this gateway has no HTTP ingress: add an 'ingress:' section to the config");
  return ingress_->mount(name_, prefix, std::move(handler));
}

void SourceRunner::unmount(std::string_view prefix) {
  if (ingress_) ingress_->unmount(prefix);
}

sdk::Status SourceRunner::quarantine(std::string_view raw, std::string_view reason) {
  sdk::Status s = pipeline_.quarantine(name_, raw, reason);
  if (s.ok()) ++counters_.quarantined_raw;
  return s;
}

void SourceRunner::log(sdk::LogLevel level, std::string_view message) {
  runtime::log(level, "source " + name_, message);
}

}  // namespace medgate::runtime
