#include "runtime/audit_checkpointer.h"

#include "audit/audit_format.h"
#include "runtime/log.h"

namespace medgate::runtime {

void AuditCheckpointer::start() {
  tick(false);
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
}

void AuditCheckpointer::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AuditCheckpointer::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    tick(true);
    lock.lock();
  }
}

void AuditCheckpointer::tick(bool checkpoint) {
  if (checkpoint)
    if (sdk::Status s = chain_.checkpoint("interval"); !s.ok())
      log(sdk::LogLevel::error, "audit", "cannot sign a checkpoint: " + s.message());
  audit::RetentionResult removed;
  if (sdk::Status s = chain_.apply_retention(std::chrono::system_clock::now(), removed); !s.ok())
    log(sdk::LogLevel::error, "audit", "retention: " + s.message());
  else if (removed.last_segment)
    log(sdk::LogLevel::info, "audit",
        "retention removed " + audit::segment_file_name(removed.first_segment) + " .. " +
            audit::segment_file_name(removed.last_segment) + " (older than audit.retention); signed statement at seq " +
            std::to_string(removed.statement_seq));
  if (also_) also_();
}

}  // namespace medgate::runtime
