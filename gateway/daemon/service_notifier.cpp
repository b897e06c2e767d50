#include "daemon/service_notifier.h"

#include <systemd/sd-daemon.h>

#include <chrono>

namespace medgate::daemon {

ServiceNotifier::~ServiceNotifier() {
  stop_.request();
  if (watchdog_.joinable()) watchdog_.join();
}

void ServiceNotifier::ready() {
  sd_notify(0, "READY=1\nSTATUS=running");
  std::uint64_t usec = 0;
  if (!watchdog_.joinable() && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    auto interval = std::chrono::microseconds(usec / 2);
    watchdog_ = std::thread([this, interval] {
      while (!stop_.wait_for(std::chrono::duration_cast<std::chrono::milliseconds>(interval)))
        sd_notify(0, "WATCHDOG=1");
    });
  }
}

void ServiceNotifier::reloading() { sd_notify(0, "RELOADING=1\nSTATUS=reloading"); }

void ServiceNotifier::stopping() { sd_notify(0, "STOPPING=1\nSTATUS=draining"); }

}  // namespace medgate::daemon
