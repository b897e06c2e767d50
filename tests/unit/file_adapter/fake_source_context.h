// A SourceContext for tests: records what a source emits and quarantines,
// can refuse or reject, and lets a test wait (without sleeping) until the
// source has done something.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "medgate/sdk/json.h"
#include "medgate/sdk/plugin.h"

namespace medgate::testing {

class FakeSourceContext : public sdk::SourceContext {
 public:
  struct Quarantined {
    std::string raw;
    std::string reason;
  };

  explicit FakeSourceContext(std::string state_dir) : state_dir_(std::move(state_dir)) {}

  void log(sdk::LogLevel, std::string_view message) override {
    std::lock_guard lock(mutex_);
    logs_.emplace_back(message);
  }
  const std::string& instance_name() const override { return name_; }
  const std::string& state_dir() const override { return state_dir_; }
  bool stopping() const override {
    std::lock_guard lock(mutex_);
    return stop_;
  }
  bool wait_for_stop(std::chrono::milliseconds d) override {
    std::unique_lock lock(mutex_);
    ++waits_;
    changed_.notify_all();
    changed_.wait_for(lock, d, [&] { return stop_; });
    return stop_;
  }

  sdk::EmitResult emit(std::vector<sdk::Record> records) override {
    std::lock_guard lock(mutex_);
    ++emit_calls_;
    batch_sizes_.push_back(records.size());
    sdk::EmitResult result;
    if (refuse_emits_ > 0 || emit_calls_ == refuse_call_) {
      if (refuse_emits_ > 0) --refuse_emits_;
      result.status = sdk::Status::Exhausted("spool full");
    } else {
      for (std::size_t i = 0; i < records.size(); ++i) {
        if (reject_ && reject_(records[i].body))
          result.rejected.push_back({i, "rejected by test"});
        else
          emitted_.push_back(std::move(records[i].body));
      }
    }
    changed_.notify_all();
    return result;
  }
  sdk::Status quarantine(std::string_view raw, std::string_view reason) override {
    std::lock_guard lock(mutex_);
    if (refuse_quarantine_) return sdk::Status::Unavailable("quarantine unavailable");
    quarantined_.push_back({std::string(raw), std::string(reason)});
    changed_.notify_all();
    return sdk::Status::Ok();
  }

  void request_stop() {
    std::lock_guard lock(mutex_);
    stop_ = true;
    changed_.notify_all();
  }
  // Waits until `done` holds (checked under the lock) or 10 s pass.
  bool wait_until(const std::function<bool(const FakeSourceContext&)>& done) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return done(*this); });
  }

  // Test setup; call before the source runs or between poll_once calls.
  void refuse_next_emits(int n) {
    std::lock_guard lock(mutex_);
    refuse_emits_ = n;
  }
  void refuse_emit_call(int n) {
    std::lock_guard lock(mutex_);
    refuse_call_ = n;
  }  // 1-based
  void refuse_quarantine(bool on) {
    std::lock_guard lock(mutex_);
    refuse_quarantine_ = on;
  }
  void reject_when(std::function<bool(const sdk::Value&)> f) {
    std::lock_guard lock(mutex_);
    reject_ = std::move(f);
  }

  // Unlocked readers: for use inside wait_until or when the source is idle.
  const std::vector<sdk::Value>& emitted() const { return emitted_; }
  const std::vector<Quarantined>& quarantined() const { return quarantined_; }
  const std::vector<std::size_t>& batch_sizes() const { return batch_sizes_; }
  const std::vector<std::string>& logs() const { return logs_; }
  int emit_calls() const { return emit_calls_; }
  int waits() const { return waits_; }
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    for (const sdk::Value& v : emitted_) out.emplace_back(v.string_or("source_record_id", "?"));
    return out;
  }

 private:
  std::string name_ = "inbox";
  std::string state_dir_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stop_ = false;
  int refuse_emits_ = 0;
  int refuse_call_ = 0;
  bool refuse_quarantine_ = false;
  std::function<bool(const sdk::Value&)> reject_;
  std::vector<sdk::Value> emitted_;
  std::vector<Quarantined> quarantined_;
  std::vector<std::size_t> batch_sizes_;
  std::vector<std::string> logs_;
  int emit_calls_ = 0;
  int waits_ = 0;
};

}  // namespace medgate::testing
