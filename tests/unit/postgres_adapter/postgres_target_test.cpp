// The postgres target without a PostgreSQL server: what it answers when
// nothing listens, when a peer never answers, and for records that can never
// become a row (those need no connection at all).
#include "postgres_target.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "test_support.h"

namespace {
using namespace medgate::postgres_adapter;
using medgate::sdk::Delivery;
using medgate::sdk::Outcome;
using medgate::sdk::Value;
using medgate::testkit::FakeTargetContext;
using Kind = Outcome::Kind;
using Clock = std::chrono::steady_clock;

// A TCP listener on 127.0.0.1 that accepts nothing: the kernel completes the
// handshake, then no byte ever comes back (a hung server).
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), len), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port_ = ntohs(a.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A port nothing listens on: bound, then closed.
int closed_port() {
  SilentListener l;
  return l.port();
}

std::unique_ptr<PostgresTarget> make_target(int port, FakeTargetContext& ctx) {
  Value v = Value::object();
  v["port"] = port;
  v["dbname"] = "medgate";
  v["user"] = "medgate";
  v["connect_timeout"] = 1000;
  auto t = std::make_unique<PostgresTarget>(PostgresTargetOptions::from(medgate::testing::pg_config(v)));
  EXPECT_TRUE(t->start(ctx).ok());  // a server that is down does not fail start()
  return t;
}

TEST(PostgresTarget, NothingListeningMeansRetryForEveryRecord) {
  FakeTargetContext ctx;
  auto t = make_target(closed_port(), ctx);
  EXPECT_NE(ctx.all_logs().find("records wait in the spool"), std::string::npos) << ctx.all_logs();
  std::vector<Delivery> batch = {medgate::testing::profile_delivery(1), medgate::testing::profile_delivery(2)};
  auto outcomes = t->deliver(batch);
  ASSERT_EQ(outcomes.size(), 2u);
  for (const Outcome& o : outcomes) {
    EXPECT_EQ(o.kind, Kind::retry);
    EXPECT_NE(o.reason.find("cannot connect to postgres at 127.0.0.1:"), std::string::npos) << o.reason;
  }
  t->stop();
}

TEST(PostgresTarget, APeerThatNeverAnswersTimesOut) {
  SilentListener silent;
  FakeTargetContext ctx;
  auto t0 = Clock::now();
  auto t = make_target(silent.port(), ctx);
  auto outcomes = t->deliver({medgate::testing::profile_delivery(1)});
  auto took = Clock::now() - t0;
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Kind::retry);
  EXPECT_NE(outcomes[0].reason.find("no connection within 1000 ms"), std::string::npos) << outcomes[0].reason;
  EXPECT_GE(took, std::chrono::milliseconds(2000));  // start() and deliver() each waited the timeout
  EXPECT_LT(took, std::chrono::seconds(10));
}

TEST(PostgresTarget, AStopRequestEndsAConnectAttempt) {
  SilentListener silent;
  FakeTargetContext ctx;
  Value v = Value::object();
  v["port"] = silent.port();
  v["dbname"] = "medgate";
  v["user"] = "medgate";
  v["connect_timeout"] = 600000;
  PostgresTarget t(PostgresTargetOptions::from(medgate::testing::pg_config(v)));
  ctx.request_stop();  // the host gave up waiting: nothing may block now
  auto t0 = Clock::now();
  EXPECT_TRUE(t.start(ctx).ok());
  auto outcomes = t.deliver({medgate::testing::profile_delivery(1)});
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].kind, Kind::retry);
  EXPECT_NE(outcomes[0].reason.find("stopping"), std::string::npos) << outcomes[0].reason;
}

TEST(PostgresTarget, RecordsThatCanNeverBeRowsAreRejectedWithoutAServer) {
  FakeTargetContext ctx;
  auto t = make_target(closed_port(), ctx);
  std::vector<Delivery> batch = {{"k1", "t", "not json"}, {"k2", "t", "[1,2]"}, {"", "t", "{}"}};
  auto outcomes = t->deliver(batch);
  ASSERT_EQ(outcomes.size(), 3u);
  for (const Outcome& o : outcomes) EXPECT_EQ(o.kind, Kind::rejected) << o.reason;
  // Mixed with a good record: the bad ones stay rejected, the good one waits.
  batch.push_back(medgate::testing::profile_delivery(4));
  outcomes = t->deliver(batch);
  EXPECT_EQ(outcomes[0].kind, Kind::rejected);
  EXPECT_EQ(outcomes[3].kind, Kind::retry);
}

TEST(PostgresTarget, WrongPasswordFileFailsStart) {
  FakeTargetContext ctx;
  Value v = Value::object();
  v["dbname"] = "medgate";
  v["user"] = "medgate";
  v["password_file"] = "/nonexistent/pg-password";
  PostgresTarget t(PostgresTargetOptions::from(medgate::testing::pg_config(v)));
  auto s = t.start(ctx);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("password_file"), std::string::npos) << s.message();
}

}  // namespace
