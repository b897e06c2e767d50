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
  void ready();     // READY=1, and starts the watchdog pings if WatchdogSec is set
  void stopping();  // STOPPING=1

 private:
  runtime::StopSignal stop_;
  std::thread watchdog_;
};

}  // namespace medgate::daemon
