// The postgres target against a real, private PostgreSQL server started by
// run_live.sh (tests/integration/lib/postgres.sh): rows land with their
// envelope columns, replays add nothing, only bad records are rejected, and
// a server that is down, slow, locked or restarted means "retry", never loss.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

#include "../temp_dir.h"
#include "postgres_target.h"
#include "test_support.h"
#include "upsert_statement.h"

namespace {
using namespace medgate::postgres_adapter;
using medgate::sdk::Delivery;
using medgate::sdk::Outcome;
using medgate::sdk::Value;
using medgate::testkit::FakeTargetContext;
using medgate::testing::profile_delivery;
using medgate::testing::profile_json;
using Kind = Outcome::Kind;
using Clock = std::chrono::steady_clock;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// The test's own connection, over the trusted unix socket (PGHOST etc.).
class Db {
 public:
  Db() : conn_(PQconnectdb("")) {}
  ~Db() { PQfinish(conn_); }
  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  std::string error() const { return PQerrorMessage(conn_); }
  // First column of the first row ("" when none); fails the test on error.
  std::string scalar(const std::string& sql) {
    PGresult* r = PQexec(conn_, sql.c_str());
    std::string out;
    ExecStatusType st = PQresultStatus(r);
    EXPECT_TRUE(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) << sql << ": " << PQresultErrorMessage(r);
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    PQclear(r);
    return out;
  }
  long count(const std::string& table) { return std::stol(scalar("SELECT count(*) FROM " + table)); }

 private:
  PGconn* conn_;
};

std::vector<Delivery> batch_of(int first, int n) {
  std::vector<Delivery> b;
  for (int i = first; i < first + n; ++i) b.push_back(profile_delivery(i));
  return b;
}

std::size_t count_kind(const std::vector<Outcome>& outcomes, Kind kind) {
  std::size_t n = 0;
  for (const Outcome& o : outcomes) n += o.kind == kind;
  return n;
}

bool run_lib(const std::string& function) {
  std::string cmd = "bash -c 'source \"$MEDGATE_PG_LIB\" && pg_attach \"$MEDGATE_PG_DIR\" && " + function + "'";
  return std::system(cmd.c_str()) == 0;
}

// Polls `cond` every 50 ms until it holds or `limit` passes.
template <typename F>
bool eventually(F cond, std::chrono::seconds limit = std::chrono::seconds(30)) {
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return cond();
}

class PostgresLive : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(env("PG_TCP_HOST").empty() || env("PGPORT").empty() || env("MEDGATE_PG_LIB").empty())
        << "run through tests/unit/postgres_adapter/run_live.sh, which starts the server";
    ASSERT_TRUE(db.ok()) << db.error();
  }
  void TearDown() override {
    for (auto& t : targets_) t->stop();
  }

  Value config(const std::string& table) {
    Value v = Value::object();
    v["host"] = env("PG_TCP_HOST");
    v["port"] = std::stoi(env("PGPORT"));
    v["dbname"] = env("PGDATABASE");
    v["user"] = env("PGUSER");
    v["password_file"] = env("PG_PASSWORD_FILE");
    v["table"] = table;
    v["connect_timeout"] = 2000;
    return v;
  }
  PostgresTarget& target(const Value& overrides, FakeTargetContext& ctx) {
    auto cfg = medgate::testing::pg_config(overrides);
    auto s = PostgresTargetOptions::validate(cfg);
    EXPECT_TRUE(s.ok()) << s.message();
    targets_.push_back(std::make_unique<PostgresTarget>(PostgresTargetOptions::from(cfg)));
    EXPECT_TRUE(targets_.back()->start(ctx).ok());
    return *targets_.back();
  }

  Db db;
  std::vector<std::unique_ptr<PostgresTarget>> targets_;
};

TEST_F(PostgresLive, BatchLandsWithItsEnvelopeColumns) {
  FakeTargetContext ctx("batch");
  PostgresTarget& t = target(config("t_batch"), ctx);
  auto batch = batch_of(0, 20);
  auto outcomes = t.deliver(batch);
  ASSERT_EQ(outcomes.size(), 20u);
  EXPECT_EQ(count_kind(outcomes, Kind::delivered), 20u) << outcomes[0].reason;
  EXPECT_EQ(db.count("t_batch"), 20);
  EXPECT_EQ(db.scalar("SELECT concat_ws('|', record_id, source, event_type, patient_token, "
                      "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), payload->>'source_record_id', "
                      "payload->'patient'->'region'->>'province', delivered_at IS NOT NULL) "
                      "FROM t_batch WHERE idempotency_key = 'key-3'"),
            medgate::testing::hex32("record", 3) + "|inbox|visit|" + batch[3].partition_key +
                "|2026-05-05 00:34:00|HIS-3|上海市|t");
  // The documented index exists.
  EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_indexes WHERE tablename = 't_batch' AND indexname = "
                      "'t_batch_patient_idx'"),
            "1");

  // More rows than one statement takes: several INSERTs in one transaction.
  auto big = batch_of(100, 2500);
  outcomes = t.deliver(big);
  EXPECT_EQ(count_kind(outcomes, Kind::delivered), 2500u) << outcomes[0].reason;
  EXPECT_EQ(db.count("t_batch"), 2520);
}

TEST_F(PostgresLive, ReplaysNeverDuplicateRows) {
  FakeTargetContext ctx("replay");
  PostgresTarget& t = target(config("t_replay"), ctx);
  auto batch = batch_of(0, 20);
  ASSERT_EQ(count_kind(t.deliver(batch), Kind::delivered), 20u);
  std::string first_delivery = db.scalar("SELECT delivered_at FROM t_replay WHERE idempotency_key = 'key-5'");

  auto again = t.deliver(batch);
  EXPECT_EQ(count_kind(again, Kind::delivered), 20u) << again[0].reason;
  EXPECT_EQ(db.count("t_replay"), 20);
  // The first copy stays as it was.
  EXPECT_EQ(db.scalar("SELECT delivered_at FROM t_replay WHERE idempotency_key = 'key-5'"), first_delivery);

  // Half old, half new, and one key twice in the same batch.
  auto mixed = batch_of(10, 20);
  mixed.push_back(profile_delivery(25));
  EXPECT_EQ(count_kind(t.deliver(mixed), Kind::delivered), 21u);
  EXPECT_EQ(db.count("t_replay"), 30);
  EXPECT_EQ(db.scalar("SELECT count(DISTINCT idempotency_key) FROM t_replay"), "30");
}

TEST_F(PostgresLive, OnlyTheBadRecordsAreRejected) {
  // A pre-made table with a narrower record_id column: create_table leaves it as is.
  db.scalar(
      "CREATE TABLE t_bad (idempotency_key text PRIMARY KEY, record_id varchar(32), source text, "
      "event_type text, patient_token text, occurred_at timestamptz, payload jsonb NOT NULL, "
      "delivered_at timestamptz NOT NULL DEFAULT now())");
  FakeTargetContext ctx("bad");
  PostgresTarget& t = target(config("t_bad"), ctx);
  std::vector<Delivery> batch = batch_of(0, 8);
  batch[1].payload = "{\"record_id\":\"张三\"";                     // not JSON: refused here
  batch[3].payload = profile_json(3, "2026-13-45T99:00:00+08:00");  // 22008 or 22007
  batch[5].payload = profile_json(5, "2026-05-05T08:34:00+08:00", ",\"notes\":[\"\\u0000 张三\"]");  // 22P05
  batch[6].payload = profile_json(6, "2026-05-05T08:34:00+08:00", "", std::string(40, 'a'));         // 22001
  for (int round = 0; round < 2; ++round) {  // a replay gives the same answer
    auto outcomes = t.deliver(batch);
    ASSERT_EQ(outcomes.size(), 8u);
    for (int i : {0, 2, 4, 7}) EXPECT_EQ(outcomes[i].kind, Kind::delivered) << i << ": " << outcomes[i].reason;
    for (int i : {1, 3, 5, 6}) {
      EXPECT_EQ(outcomes[i].kind, Kind::rejected) << i;
      EXPECT_EQ(outcomes[i].reason.find("张三"), std::string::npos) << outcomes[i].reason;
      EXPECT_EQ(outcomes[i].reason.find("2026-13-45"), std::string::npos) << outcomes[i].reason;
    }
    EXPECT_NE(outcomes[1].reason.find("not JSON"), std::string::npos) << outcomes[1].reason;
    EXPECT_NE(outcomes[3].reason.find("SQLSTATE 2200"), std::string::npos) << outcomes[3].reason;
    EXPECT_NE(outcomes[5].reason.find("SQLSTATE 22P05"), std::string::npos) << outcomes[5].reason;
    EXPECT_NE(outcomes[6].reason.find("SQLSTATE 22001"), std::string::npos) << outcomes[6].reason;
    EXPECT_NE(outcomes[6].reason.find("value too long"), std::string::npos) << outcomes[6].reason;
    EXPECT_EQ(db.count("t_bad"), 4);
  }
  EXPECT_EQ(db.scalar("SELECT string_agg(idempotency_key, ',' ORDER BY idempotency_key) FROM t_bad"),
            "key-0,key-2,key-4,key-7");
  EXPECT_NE(ctx.all_logs().find("3 of 7 records refused by PostgreSQL"), std::string::npos) << ctx.all_logs();
  EXPECT_EQ(ctx.all_logs().find("张三"), std::string::npos);
}

TEST_F(PostgresLive, MissingTableWithoutCreateTableIsRetried) {
  FakeTargetContext ctx("nocreate");
  Value cfg = config("t_nocreate");
  cfg["create_table"] = false;
  PostgresTarget& t = target(cfg, ctx);
  auto batch = batch_of(0, 5);
  auto outcomes = t.deliver(batch);
  EXPECT_EQ(count_kind(outcomes, Kind::retry), 5u);
  EXPECT_NE(outcomes[0].reason.find("42P01"), std::string::npos) << outcomes[0].reason;
  EXPECT_EQ(db.scalar("SELECT to_regclass('t_nocreate') IS NULL"), "t");

  db.scalar(create_table_sql("t_nocreate"));  // the operator creates it
  outcomes = t.deliver(batch);
  EXPECT_EQ(count_kind(outcomes, Kind::delivered), 5u) << outcomes[0].reason;
  EXPECT_EQ(db.count("t_nocreate"), 5);
}

TEST_F(PostgresLive, SchemaQualifiedTable) {
  db.scalar("CREATE SCHEMA analytics");
  FakeTargetContext ctx("schema");
  PostgresTarget& t = target(config("analytics.records"), ctx);
  EXPECT_EQ(count_kind(t.deliver(batch_of(0, 3)), Kind::delivered), 3u);
  EXPECT_EQ(db.count("analytics.records"), 3);
}

TEST_F(PostgresLive, StatementTimeoutOnALockedTableIsRetried) {
  FakeTargetContext ctx("locked");
  Value cfg = config("t_locked");
  cfg["statement_timeout"] = 1000;
  PostgresTarget& t = target(cfg, ctx);  // creates the table
  Db locker;
  locker.scalar("BEGIN");
  locker.scalar("LOCK TABLE t_locked IN ACCESS EXCLUSIVE MODE");
  auto batch = batch_of(0, 10);
  auto t0 = Clock::now();
  auto outcomes = t.deliver(batch);
  auto took = Clock::now() - t0;
  EXPECT_EQ(count_kind(outcomes, Kind::retry), 10u);
  EXPECT_NE(outcomes[0].reason.find("57014"), std::string::npos) << outcomes[0].reason;
  EXPECT_LT(took, std::chrono::seconds(10));
  locker.scalar("ROLLBACK");
  outcomes = t.deliver(batch);
  EXPECT_EQ(count_kind(outcomes, Kind::delivered), 10u) << outcomes[0].reason;
  EXPECT_EQ(db.count("t_locked"), 10);
}

TEST_F(PostgresLive, StopRequestEndsADeliveryThatWaits) {
  FakeTargetContext ctx("stopping");
  Value cfg = config("t_stopping");
  cfg["statement_timeout"] = 600000;
  PostgresTarget& t = target(cfg, ctx);
  Db locker;
  locker.scalar("BEGIN");
  locker.scalar("LOCK TABLE t_stopping IN ACCESS EXCLUSIVE MODE");
  std::thread stopper([&] {
    Db watcher;
    bool waiting = eventually([&] {
      return watcher.scalar(
                 "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'medgate-stopping' "
                 "AND wait_event_type = 'Lock'") == "1";
    });
    EXPECT_TRUE(waiting) << "the insert never waited on the lock";
    ctx.request_stop();
  });
  auto t0 = Clock::now();
  auto outcomes = t.deliver(batch_of(0, 10));
  auto took = Clock::now() - t0;
  stopper.join();
  EXPECT_EQ(count_kind(outcomes, Kind::retry), 10u);
  EXPECT_NE(outcomes[0].reason.find("stopping"), std::string::npos) << outcomes[0].reason;
  EXPECT_LT(took, std::chrono::seconds(30));
  locker.scalar("ROLLBACK");
}

TEST_F(PostgresLive, AConnectionTheServerEndsIsReplacedAtOnce) {
  FakeTargetContext ctx("terminated");
  PostgresTarget& t = target(config("t_terminated"), ctx);
  ASSERT_EQ(count_kind(t.deliver(batch_of(0, 10)), Kind::delivered), 10u);
  EXPECT_EQ(db.scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                      "WHERE application_name = 'medgate-terminated'"),
            "1");
  // The idle connection died (57P01 admin shutdown): the next batch reconnects.
  auto outcomes = t.deliver(batch_of(10, 10));
  EXPECT_EQ(count_kind(outcomes, Kind::delivered), 10u) << outcomes[0].reason;
  EXPECT_EQ(db.count("t_terminated"), 20);
  EXPECT_NE(ctx.all_logs().find("connection to postgres lost"), std::string::npos) << ctx.all_logs();
}

TEST_F(PostgresLive, AHungServerProcessIsGivenUpOnAtTheClientDeadline) {
  FakeTargetContext ctx("hung");
  Value cfg = config("t_hung");
  cfg["statement_timeout"] = 1000;
  cfg["connect_timeout"] = 1000;
  PostgresTarget& t = target(cfg, ctx);
  ASSERT_EQ(count_kind(t.deliver(batch_of(0, 5)), Kind::delivered), 5u);
  // Freeze the server process of our connection: its own statement_timeout
  // cannot fire, only the plugin's deadline (statement_timeout +
  // connect_timeout) ends the wait. The rest of the server still works, so
  // the batch then goes through a new connection.
  pid_t backend = std::stoi(db.scalar("SELECT pid FROM pg_stat_activity WHERE application_name = 'medgate-hung'"));
  ASSERT_EQ(::kill(backend, SIGSTOP), 0);
  struct Thaw {
    pid_t pid;
    ~Thaw() { ::kill(pid, SIGCONT); }
  } thaw{backend};
  auto t0 = Clock::now();
  auto outcomes = t.deliver(batch_of(5, 5));
  auto took = Clock::now() - t0;
  EXPECT_EQ(count_kind(outcomes, Kind::delivered), 5u) << outcomes[0].reason;
  EXPECT_GE(took, std::chrono::milliseconds(2000));
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_NE(ctx.all_logs().find("no answer from the server in time"), std::string::npos) << ctx.all_logs();
  EXPECT_EQ(db.count("t_hung"), 10);
}

TEST_F(PostgresLive, WrongPasswordIsRetriedWithTheReason) {
  medgate::testing::TempDir dir;
  medgate::testing::write_file(dir / "pw", "not-the-password-4711\n");
  FakeTargetContext ctx("wrongpw");
  Value cfg = config("t_wrongpw");
  cfg["password_file"] = dir / "pw";
  PostgresTarget& t = target(cfg, ctx);  // start() only logs: records wait in the spool
  auto outcomes = t.deliver(batch_of(0, 3));
  EXPECT_EQ(count_kind(outcomes, Kind::retry), 3u);
  EXPECT_NE(outcomes[0].reason.find("password authentication failed"), std::string::npos) << outcomes[0].reason;
  EXPECT_EQ(outcomes[0].reason.find("4711"), std::string::npos);
  EXPECT_NE(ctx.all_logs().find("password authentication failed"), std::string::npos) << ctx.all_logs();
}

TEST_F(PostgresLive, UnixSocketWithoutPassword) {
  FakeTargetContext ctx("socket");
  Value cfg = config("t_socket");
  cfg["host"] = env("PGHOST");  // the socket directory; local connections are trusted
  cfg["password_file"] = Value();
  PostgresTarget& t = target(cfg, ctx);
  EXPECT_EQ(count_kind(t.deliver(batch_of(0, 4)), Kind::delivered), 4u);
  EXPECT_EQ(db.count("t_socket"), 4);
}

// Last: it stops and restarts the server.
TEST_F(PostgresLive, ServerDownMeansRetryAndServerBackMeansDelivered) {
  FakeTargetContext ctx("down");
  PostgresTarget& t = target(config("t_down"), ctx);
  ASSERT_EQ(count_kind(t.deliver(batch_of(0, 10)), Kind::delivered), 10u);

  ASSERT_TRUE(run_lib("pg_stop_fast"));
  struct Restart {
    bool needed = true;
    ~Restart() {
      if (needed) {
        EXPECT_TRUE(run_lib("pg_start_again"));
      }
    }
  } restart_however_this_ends;
  auto batch = batch_of(10, 10);
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto outcomes = t.deliver(batch);
    EXPECT_EQ(count_kind(outcomes, Kind::retry), 10u) << attempt;
    EXPECT_NE(outcomes[0].reason.find("cannot connect"), std::string::npos) << outcomes[0].reason;
  }
  // A target that starts while the server is down starts anyway.
  FakeTargetContext ctx2("down2");
  PostgresTarget& t2 = target(config("t_down"), ctx2);
  EXPECT_NE(ctx2.all_logs().find("records wait in the spool"), std::string::npos) << ctx2.all_logs();

  restart_however_this_ends.needed = false;
  ASSERT_TRUE(run_lib("pg_start_again"));
  Db db2;
  ASSERT_TRUE(db2.ok()) << db2.error();
  auto outcomes = t.deliver(batch);
  EXPECT_EQ(count_kind(outcomes, Kind::delivered), 10u) << outcomes[0].reason;
  outcomes = t2.deliver(batch_of(5, 10));  // overlaps both earlier batches
  EXPECT_EQ(count_kind(outcomes, Kind::delivered), 10u) << outcomes[0].reason;
  EXPECT_EQ(db2.count("t_down"), 20);
  EXPECT_EQ(db2.scalar("SELECT count(DISTINCT idempotency_key) FROM t_down"), "20");
}

}  // namespace
