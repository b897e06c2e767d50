// Tells systemd (Type=notify) when medgated is ready and stopping, and pings
// its watchdog at half the configured interval. Does nothing when not run by
// systemd.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "runtime/stop_signal.h"

namespace medgate::daemon {

class ServiceNotifier {
 public:
  ~ServiceNotifier();
  void ready();      // READY=1 (again after a reload); starts the watchdog pings if WatchdogSec is set
  void reloading();  // RELOADING=1: ready() follows when the reload is over
  void stopping();  // STOPPING=1

 private:
  runtime::StopSignal stop_;
  std::thread watchdog_;
};

}  // namespace medgate::daemon
