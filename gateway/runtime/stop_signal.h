// A stop flag that sleeping threads can wait on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace medgate::runtime {

class StopSignal {
 public:
  void request() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
  }
  bool requested() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stop_;
  }
  // Sleeps up to `d`; true when a stop was requested.
  bool wait_for(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, d, [&] { return stop_; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace medgate::runtime
