// The audit log's clock: every audit.checkpoint_interval it signs a
// checkpoint over the entries appended since the last one (none written when
// there are none) and applies retention, on one thread of its own; the
// gateway's other retention duty (the quarantine's, `also`) runs on the same
// clock. Waits on a condition variable, so stop() returns at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "audit/audit_chain.h"

namespace medgate::runtime {

class AuditCheckpointer {
 public:
  AuditCheckpointer(audit::AuditChain& chain, std::chrono::milliseconds interval, std::function<void()> also = {})
      : chain_(chain), interval_(interval), also_(std::move(also)) {}
  ~AuditCheckpointer() { stop(); }
  AuditCheckpointer(const AuditCheckpointer&) = delete;
  AuditCheckpointer& operator=(const AuditCheckpointer&) = delete;

  // Applies retention once, then ticks every interval.
  void start();
  void stop();

 private:
  void run();
  void tick(bool checkpoint);

  audit::AuditChain& chain_;
  const std::chrono::milliseconds interval_;
  const std::function<void()> also_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace medgate::runtime
