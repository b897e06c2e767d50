#include "spool/dead_letters.h"

#include "medgate/sdk/json.h"
#include "spool/durable_file.h"
#include "spool/timestamps.h"

namespace medgate::spool {

sdk::Status DeadLetters::open() { return ensure_dir(dir_); }

sdk::Status DeadLetters::add(const std::string& target, const SpoolEntry& entry, const std::string& reason) {
  sdk::Value v = sdk::Value::object();
  v["time"] = utc_now_rfc3339();
  v["target"] = target;
  v["idempotency_key"] = entry.idempotency_key;
  v["partition_key"] = entry.partition_key;
  v["reason"] = reason;
  v["payload"] = entry.payload;
  std::string line = sdk::to_json(v);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  return append_durable(file_for(target), line);
}

}  // namespace medgate::spool
