// The postgres target: writes every delivery as one row of a PostgreSQL table,
// keyed by its idempotency key, so that a replayed record never makes a second
// row. One transaction per batch with multi-row INSERT ... ON CONFLICT DO
// NOTHING; when a record's values are refused (not JSON for jsonb, a bad
// timestamp, a value too long), the batch is redone record by record behind
// savepoints so that only the bad record is rejected.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "medgate/sdk/plugin.h"
#include "pg_connection.h"
#include "postgres_target_options.h"
#include "record_row.h"

namespace medgate::postgres_adapter {

class PostgresTarget : public sdk::Target {
 public:
  explicit PostgresTarget(PostgresTargetOptions options) : options_(std::move(options)) {}

  // Reads the password file and tries to connect (and create the table); a
  // server that is down is only logged: deliver() connects when it can.
  sdk::Status start(sdk::TargetContext& ctx) override;
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::Delivery>& batch) override;
  sdk::Status flush() override;  // every batch is committed already
  void stop() override;

 private:
  struct PendingRow {
    std::size_t index;  // into the batch and its outcomes
    RecordRow row;
  };

  sdk::Status connect_and_prepare();
  // BEGIN; one INSERT per kMaxRowsPerStatement rows; COMMIT.
  SqlResult insert_batch(const std::vector<PendingRow>& rows);
  // BEGIN; per row SAVEPOINT, INSERT, RELEASE or ROLLBACK TO; COMMIT. Sets
  // rejected outcomes for refused rows; false (with `why`) when the rest must be retried.
  bool insert_one_by_one(const std::vector<PendingRow>& rows, std::vector<sdk::Outcome>& outcomes, std::string& why);
  SqlResult insert_rows(const std::vector<PendingRow>& rows, std::size_t begin, std::size_t end);
  SqlResult run(const std::string& sql);
  void rollback();
  bool stopping() const;
  void log(sdk::LogLevel level, const std::string& message);

  PostgresTargetOptions options_;
  sdk::TargetContext* ctx_ = nullptr;
  std::mutex mutex_;
  ConnectSettings settings_;
  bool have_settings_ = false;
  PgConnection conn_;
  bool was_connected_ = false;  // for logging the transitions only
};

}  // namespace medgate::postgres_adapter
