#include "daemon/service_notifier.h"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "runtime/log.h"

namespace medgate::daemon {

ServiceNotifier::~ServiceNotifier() { close(); }

void ServiceNotifier::close() {
  stop_.request();
  if (watchdog_.joinable()) watchdog_.join();
}

void ServiceNotifier::ready() {
  sd_notify(0, "READY=1\nSTATUS=running");
  std::uint64_t usec = 0;
  if (!watchdog_.joinable() && sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
    watchdog_ = std::thread([this, usec] { watch(std::chrono::microseconds(usec)); });
}

void ServiceNotifier::watch(std::chrono::microseconds timeout) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const auto tick = std::max(milliseconds(1), duration_cast<milliseconds>(timeout / 4));
  runtime::WatchdogGate gate(std::max(milliseconds(1), duration_cast<milliseconds>(timeout / 2)));
  bool stalled = false;
  do {
    const runtime::PipelineProgress p = probe_();
    const auto now = runtime::WatchdogGate::Clock::now();
    if (gate.alive(p, now)) {
      if (stalled) runtime::log(sdk::LogLevel::info, "watchdog", "the pipeline is making progress again");
      stalled = false;
      sd_notify(0, "WATCHDOG=1");
    } else if (!stalled) {
      stalled = true;
      runtime::log(sdk::LogLevel::error, "watchdog",
                   std::to_string(p.queued_batches) + " batches queued and no pipeline progress for " +
                       std::to_string(gate.stalled_for(now).count()) +
                       " ms: no longer telling systemd medgated is alive (it restarts the service)");
    }
  } while (!stop_.wait_for(tick));
}

void ServiceNotifier::reloading() { sd_notify(0, "RELOADING=1\nSTATUS=reloading"); }

void ServiceNotifier::stopping() { sd_notify(0, "STOPPING=1\nSTATUS=draining"); }

}  // namespace medgate::daemon
