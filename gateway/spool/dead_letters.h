// Dead-letter queue: records a target rejected permanently, with the reason,
// one NDJSON file per target under STATE/dlq/. Entries are durable on return.
#pragma once

#include <mutex>
#include <string>

#include "medgate/sdk/status.h"
#include "spool/target_spool.h"

namespace medgate::spool {

class DeadLetters {
 public:
  explicit DeadLetters(std::string dir) : dir_(std::move(dir)) {}
  sdk::Status open();
  // Appends {time, target, idempotency_key, partition_key, reason, payload}.
  sdk::Status add(const std::string& target, const SpoolEntry& entry, const std::string& reason);
  std::string file_for(const std::string& target) const { return dir_ + "/" + target + ".ndjson"; }

 private:
  std::string dir_;
  std::mutex mu_;
};

}  // namespace medgate::spool
