// Tells systemd (Type=notify) when medgated is ready and stopping, and pings
// its watchdog every quarter of the configured interval while the pipeline
// is alive (runtime/watchdog_gate.h): with batches queued and none finished
// for half the interval it stops pinging (and says why in the log), so that
// systemd restarts a medgated that hangs instead of keeping it. Does nothing
// when not run by systemd.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "runtime/stop_signal.h"
#include "runtime/watchdog_gate.h"

namespace medgate::daemon {

class ServiceNotifier {
 public:
  explicit ServiceNotifier(std::function<runtime::PipelineProgress()> probe) : probe_(std::move(probe)) {}
  ~ServiceNotifier();
  void ready();      // READY=1 (again after a reload); starts the watchdog pings if WatchdogSec is set
  void reloading();  // RELOADING=1: ready() follows when the reload is over
  void stopping();  // STOPPING=1
  void close();     // stops the watchdog pings (and the probing); the destructor does it too

 private:
  void watch(std::chrono::microseconds timeout);

  std::function<runtime::PipelineProgress()> probe_;
  runtime::StopSignal stop_;
  std::thread watchdog_;
};

}  // namespace medgate::daemon
