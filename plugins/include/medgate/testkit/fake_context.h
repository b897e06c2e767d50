// medgate plugin test kit: the part every fake host context shares. Header
// only and free of any test framework, so a plugin's own tests (GoogleTest,
// Catch2, plain asserts) can drive a source or target without a daemon.
//
//   medgate::testkit::FakeTargetContext ctx("events");
//   target->start(ctx); target->deliver(batch); ctx.request_stop();
//
// Stop requests can also be scripted: stopping() turns true on its n-th call
// (stop_after_checks), or runs a hook on the caller's thread at its n-th call
// (on_check), so a test acts in the middle of a deliver() without sleeping.
// Events counted through sdk::event_counter(ctx) are kept with the host's
// rules (event_count()).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/event_counter.h"
#include "medgate/sdk/plugin.h"

namespace medgate::testkit {

template <class Context>
class FakeContext : public Context, public sdk::EventCounter {
 public:
  explicit FakeContext(std::string name, std::string state_dir)
      : name_(std::move(name)), state_dir_(std::move(state_dir)) {}

  void log(sdk::LogLevel, std::string_view message) override {
    std::lock_guard lock(mutex_);
    logs_.emplace_back(message);
    changed_.notify_all();
  }
  const std::string& instance_name() const override { return name_; }
  const std::string& state_dir() const override { return state_dir_; }
  bool stopping() const override {
    std::function<void()> hook;
    {
      std::lock_guard lock(mutex_);
      if (stop_after_checks_ > 0 && --stop_after_checks_ == 0) stop_ = true;
      if (hook_after_checks_ > 0 && --hook_after_checks_ == 0) hook = std::move(hook_);
      if (stop_) return true;
    }
    if (hook) hook();
    return false;
  }
  bool wait_for_stop(std::chrono::milliseconds d) override {
    std::unique_lock lock(mutex_);
    ++waits_;
    changed_.notify_all();
    changed_.wait_for(lock, d, [&] { return stop_; });
    return stop_;
  }

  // sdk::EventCounter, with the host's rules.
  sdk::Status count(std::string_view event, std::uint64_t n) override { return events_.count(event, n); }
  // What the plugin counted as `event` (0 when never).
  std::uint64_t event_count(std::string_view event) const { return events_.get(event); }

  // What the host does on shutdown: stopping() is true from now on and
  // wait_for_stop() returns at once.
  void request_stop() {
    std::lock_guard lock(mutex_);
    stop_ = true;
    changed_.notify_all();
  }
  // stopping() turns true on its n-th call from now.
  void stop_after_checks(int n) {
    std::lock_guard lock(mutex_);
    stop_after_checks_ = n;
  }
  // Runs `hook` once, on the thread calling stopping(), at its n-th call from now.
  void on_check(int n, std::function<void()> hook) {
    std::lock_guard lock(mutex_);
    hook_after_checks_ = n;
    hook_ = std::move(hook);
  }

  std::vector<std::string> logs() const {
    std::lock_guard lock(mutex_);
    return logs_;
  }
  // Every log line, one per line: for failure messages.
  std::string all_logs() const {
    std::string s;
    for (const std::string& l : logs()) s += l + "\n";
    return s;
  }
  // How many log lines contain `text`.
  std::size_t count_logs(std::string_view text) const {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(
        logs_.begin(), logs_.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; }));
  }
  // How often the plugin called wait_for_stop() (a source's idle waits).
  // Unlocked: read it inside FakeSourceContext::wait_until or while idle.
  int waits() const { return waits_; }

 protected:
  mutable std::mutex mutex_;
  std::condition_variable changed_;  // notified on every log line, wait, stop and (in sources) emit

 private:
  std::string name_;
  std::string state_dir_;
  std::vector<std::string> logs_;
  sdk::EventCounts events_;
  int waits_ = 0;
  mutable bool stop_ = false;
  mutable int stop_after_checks_ = 0;
  mutable int hook_after_checks_ = 0;
  mutable std::function<void()> hook_;
};

}  // namespace medgate::testkit
