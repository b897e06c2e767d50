#include "postgres_target.h"

#include <algorithm>

#include "medgate/sdk/secrets.h"
#include "upsert_statement.h"

namespace medgate::postgres_adapter {
namespace {

using sdk::Outcome;
using sdk::Status;

constexpr const char* kSavepoint = "medgate_row";

}  // namespace

void PostgresTarget::log(sdk::LogLevel level, const std::string& message) {
  if (ctx_) ctx_->log(level, message);
}

bool PostgresTarget::stopping() const {
  return ctx_ && ctx_->stopping();
}

Status PostgresTarget::start(sdk::TargetContext& ctx) {
  std::lock_guard lock(mutex_);
  ctx_ = &ctx;
  settings_ = ConnectSettings{};
  settings_.host = options_.host;
  settings_.port = options_.port;
  settings_.dbname = options_.dbname;
  settings_.user = options_.user;
  settings_.sslmode = options_.sslmode;
  settings_.ssl_root_cert_file = options_.ssl_root_cert_file;
  settings_.statement_timeout = options_.statement_timeout;
  settings_.application_name = "medgate-" + ctx.instance_name();
  if (!options_.password_file.empty())
    if (Status s = sdk::read_secret_file(options_.password_file, settings_.password, "password_file"); !s.ok())
      return s;
  have_settings_ = true;
  if (Status s = connect_and_prepare(); !s.ok())
    log(sdk::LogLevel::warning, s.message() + "; records wait in the spool until it is reachable");
  return Status::Ok();
}

Status PostgresTarget::connect_and_prepare() {
  if (!have_settings_) return Status::Precondition("the target was not started");
  Status s = conn_.open(settings_, options_.connect_timeout, [this] { return stopping(); });
  if (!s.ok()) return s;
  if (options_.create_table) {
    for (const std::string& sql : {create_table_sql(options_.table), create_index_sql(options_.table)}) {
      SqlResult r = run(sql);
      if (!r.ok) {
        conn_.close();
        return Status::Unavailable("cannot create table " + options_.table + ": " + r.message);
      }
    }
  }
  if (!was_connected_)
    log(sdk::LogLevel::info, "connected to postgres at " + options_.host + ":" + std::to_string(options_.port) + "/" +
                                 options_.dbname + ", table " + options_.table);
  was_connected_ = true;
  return Status::Ok();
}

SqlResult PostgresTarget::run(const std::string& sql) {
  return conn_.exec(sql, options_.statement_timeout + options_.connect_timeout, [this] { return stopping(); });
}

void PostgresTarget::rollback() {
  if (conn_.is_open()) run("ROLLBACK");
}

SqlResult PostgresTarget::insert_rows(const std::vector<PendingRow>& rows, std::size_t begin, std::size_t end) {
  std::vector<const char*> params;
  params.reserve((end - begin) * kRowColumns.size());
  auto text = [](const std::optional<std::string>& v) { return v ? v->c_str() : nullptr; };
  for (std::size_t i = begin; i < end; ++i) {
    const RecordRow& r = rows[i].row;
    params.insert(params.end(), {r.idempotency_key.c_str(), text(r.record_id), text(r.source), text(r.event_type),
                                 text(r.patient_token), text(r.occurred_at), r.payload->c_str()});
  }
  return conn_.exec(insert_sql(options_.table, end - begin), params,
                    options_.statement_timeout + options_.connect_timeout, [this] { return stopping(); });
}

SqlResult PostgresTarget::insert_batch(const std::vector<PendingRow>& rows) {
  SqlResult r = run("BEGIN");
  if (!r.ok) return r;
  for (std::size_t begin = 0; begin < rows.size(); begin += kMaxRowsPerStatement) {
    r = insert_rows(rows, begin, std::min(rows.size(), begin + kMaxRowsPerStatement));
    if (!r.ok) {
      rollback();
      return r;
    }
  }
  r = run("COMMIT");
  if (!r.ok) {
    // Whatever the code (a deferred constraint, a serialization failure), a
    // failed COMMIT cannot be pinned on one record: the batch is retried.
    rollback();
    r.message = "COMMIT failed: " + r.message;
    r.sqlstate.clear();
  }
  return r;
}

bool PostgresTarget::insert_one_by_one(const std::vector<PendingRow>& rows, std::vector<Outcome>& outcomes,
                                       std::string& why) {
  const std::string savepoint = std::string("SAVEPOINT ") + kSavepoint;
  const std::string next = std::string("RELEASE SAVEPOINT ") + kSavepoint + "; " + savepoint;
  const std::string undo = std::string("ROLLBACK TO SAVEPOINT ") + kSavepoint;
  auto fail = [&](const SqlResult& r) {
    rollback();
    why = r.message;
    return false;
  };
  SqlResult r = run("BEGIN");
  if (!r.ok) return fail(r);
  if (r = run(savepoint); !r.ok) return fail(r);
  std::size_t rejected = 0;
  std::string first_reason;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    r = insert_rows(rows, i, i + 1);
    if (r.ok) {
      if (r = run(next); !r.ok) return fail(r);
      continue;
    }
    if (r.kind() != ErrorKind::record) return fail(r);
    outcomes[rows[i].index] = {Outcome::Kind::rejected, "PostgreSQL refused the record: " + r.message};
    if (rejected++ == 0) first_reason = r.message;
    if (r = run(undo); !r.ok) return fail(r);
  }
  if (r = run("COMMIT"); !r.ok) return fail(r);
  if (rejected > 0)
    log(sdk::LogLevel::warning, std::to_string(rejected) + " of " + std::to_string(rows.size()) +
                                    " records refused by PostgreSQL (first: " + first_reason +
                                    "); the rest were stored");
  return true;
}

std::vector<Outcome> PostgresTarget::deliver(const std::vector<sdk::Delivery>& batch) {
  std::lock_guard lock(mutex_);
  std::vector<Outcome> outcomes(batch.size());
  std::vector<PendingRow> rows;
  rows.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    RowResult r = make_row(batch[i]);
    if (r.ok)
      rows.push_back({i, std::move(r.row)});
    else
      outcomes[i] = {Outcome::Kind::rejected, r.reason};
  }
  if (rows.size() < batch.size())
    log(sdk::LogLevel::warning, std::to_string(batch.size() - rows.size()) + " of " + std::to_string(batch.size()) +
                                    " records cannot be stored in a row and are rejected");
  if (rows.empty()) return outcomes;

  auto retry_rows = [&](const std::string& why) {
    for (const PendingRow& p : rows)
      if (outcomes[p.index].kind != Outcome::Kind::rejected) outcomes[p.index] = {Outcome::Kind::retry, why};
  };
  auto note_lost = [&](const SqlResult& r) {
    if (r.connection_lost && was_connected_) {
      log(sdk::LogLevel::warning, "connection to postgres lost (" + r.message + "); reconnecting");
      was_connected_ = false;
    }
  };
  const bool reused = conn_.is_open();
  if (!reused) {
    if (Status s = connect_and_prepare(); !s.ok()) {
      retry_rows(s.message());
      return outcomes;
    }
  }
  SqlResult r = insert_batch(rows);
  if (!r.ok && r.connection_lost && reused && !stopping()) {
    // A connection kept from an earlier batch may have died meanwhile (a
    // server restart, an idle timeout) and shows it only now: one fresh
    // connection at once. Should a COMMIT have gone through unanswered, the
    // second attempt's ON CONFLICT DO NOTHING keeps the rows single.
    note_lost(r);
    if (Status s = connect_and_prepare(); !s.ok()) {
      retry_rows(s.message());
      return outcomes;
    }
    r = insert_batch(rows);
  }
  if (r.ok) return outcomes;
  note_lost(r);
  if (r.kind() == ErrorKind::retry) {
    retry_rows(r.message);
    return outcomes;
  }
  // A record's values were refused, and the batch rolled back: find which.
  std::string why;
  if (!insert_one_by_one(rows, outcomes, why)) {
    if (!conn_.is_open() && was_connected_) {
      log(sdk::LogLevel::warning, "connection to postgres lost (" + why + "); reconnecting on the next batch");
      was_connected_ = false;
    }
    retry_rows(why);
  }
  return outcomes;
}

Status PostgresTarget::flush() {
  return Status::Ok();
}

void PostgresTarget::stop() {
  std::lock_guard lock(mutex_);
  conn_.close();
  was_connected_ = false;
}

}  // namespace medgate::postgres_adapter
