// The MLLP event loop over real sockets: replies in frame order per
// connection, requests of many connections handed over as one batch, the
// connection limit, idle timeout, oversized frames, a peer gone mid-frame,
// and a stop that still answers the frame in hand. TLS is covered by
// tests/integration/his_hl7_tls.sh.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mllp_codec.h"
#include "mllp_server.h"

namespace medgate::his_hl7 {
namespace {
using namespace std::chrono_literals;

// A blocking test client.
class Client {
 public:
  explicit Client(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~Client() { close(); }
  bool connected() const { return connected_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // The next frame's payload; "" when nothing came within `limit` or the server closed.
  std::string read_frame(std::chrono::milliseconds limit = 10s) {
    MllpEvent e;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!decoder_.next(e)) {
      if (!wait_readable(deadline)) return "";
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        return "";
      }
      decoder_.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    }
    return e.payload;
  }
  // True once the server closed the connection (within `limit`).
  bool closed_by_server(std::chrono::milliseconds limit = 10s) {
    if (closed_) return true;
    read_frame(limit);
    return closed_;
  }
  // True when something arrives within `limit`.
  bool readable_within(std::chrono::milliseconds limit) {
    return wait_readable(std::chrono::steady_clock::now() + limit);
  }

 private:
  bool wait_readable(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(left.count())) == 1;
  }
  int fd_ = -1;
  bool connected_ = false, closed_ = false;
  MllpDecoder decoder_{1 << 20};
};

// Waits for `done` with a deadline, checking whenever the server's threads notify.
template <typename F>
bool eventually(F done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// A handler that answers "re:" + message, records batch sizes, and can hold
// the batches it gets until released.
struct Recorder {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::size_t> batch_sizes;
  std::vector<std::size_t> oversized;
  std::vector<std::pair<StreamProblem, std::size_t>> problems;
  bool hold = false, holding = false;

  MllpHandlers handlers() {
    MllpHandlers h;
    h.on_batch = [this](std::vector<MllpRequest>& batch) {
      std::unique_lock lock(mu);
      batch_sizes.push_back(batch.size());
      holding = true;
      cv.notify_all();
      cv.wait(lock, [&] { return !hold; });
      holding = false;
      for (auto& r : batch) {
        if (r.oversized_bytes) oversized.push_back(r.oversized_bytes);
        r.reply = r.oversized_bytes ? "too big" : "re:" + r.message;
      }
    };
    h.on_problem = [this](StreamProblem p, std::size_t n) {
      std::lock_guard lock(mu);
      problems.emplace_back(p, n);
      cv.notify_all();
    };
    return h;
  }
  void release() {
    std::lock_guard lock(mu);
    hold = false;
    cv.notify_all();
  }
  bool wait_holding() {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return holding; });
  }
};

MllpServerOptions local(std::size_t handler_threads = 2) {
  MllpServerOptions o;
  o.listen = "127.0.0.1:0";
  o.max_message_bytes = 1024;
  o.handler_threads = handler_threads;
  return o;
}

TEST(MllpServer, RepliesFollowTheFramesOfAConnectionInOrder) {
  Recorder rec;
  MllpServer server(local(), rec.handlers());
  server.start();
  Client c(server.port());
  ASSERT_TRUE(c.connected());
  ASSERT_TRUE(c.send(mllp_frame("one") + mllp_frame("two") + mllp_frame("three")));  // one write
  EXPECT_EQ(c.read_frame(), "re:one");
  EXPECT_EQ(c.read_frame(), "re:two");
  EXPECT_EQ(c.read_frame(), "re:three");
  ASSERT_TRUE(c.send(mllp_frame("four")));
  EXPECT_EQ(c.read_frame(), "re:four");
  server.stop();
}

// Input that arrives while the connection's frames are with a handler, or
// in pieces, must still be read (what a listener that reads only after an
// input event, or stops after a short read, could miss).
TEST(MllpServer, InputSentWhileTheConnectionIsBusyIsReadAfterTheAnswer) {
  Recorder rec;
  rec.hold = true;
  MllpServer server(local(1), rec.handlers());
  server.start();
  Client c(server.port());
  ASSERT_TRUE(c.send(mllp_frame("one")));
  ASSERT_TRUE(rec.wait_holding());  // "one" is with the handler: the connection is busy
  ASSERT_TRUE(c.send(mllp_frame("two")));
  EXPECT_FALSE(c.readable_within(50ms));  // nothing is answered while held
  rec.release();
  EXPECT_EQ(c.read_frame(), "re:one");
  EXPECT_EQ(c.read_frame(), "re:two");
  server.stop();
}

TEST(MllpServer, AFrameSentInPiecesIsReadWhole) {
  Recorder rec;
  MllpServer server(local(), rec.handlers());
  server.start();
  Client c(server.port());
  const std::string frame = mllp_frame("in three pieces");
  ASSERT_TRUE(c.send(frame.substr(0, 4)));
  EXPECT_FALSE(c.readable_within(50ms));  // the frame is not complete: no reply yet
  ASSERT_TRUE(c.send(frame.substr(4, 6)));
  ASSERT_TRUE(c.send(frame.substr(10)));
  EXPECT_EQ(c.read_frame(), "re:in three pieces");
  server.stop();
}

TEST(MllpServer, APortInUseRefusesToStartInsteadOfSharingIt) {
  // With SO_REUSEPORT (POCO's address constructor sets it) a second listener
  // would bind the same port and take half of the HIS's connections.
  Recorder rec;
  MllpServer first(local(), rec.handlers());
  first.start();
  MllpServerOptions same = local();
  same.listen = "127.0.0.1:" + std::to_string(first.port());
  MllpServer second(same, rec.handlers());
  try {
    second.start();
    ADD_FAILURE() << "a second listener started on port " << first.port();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("MLLP listener on " + same.listen), std::string::npos) << e.what();
  }
  first.stop();
}

TEST(MllpServer, RequestsOfManyConnectionsWaitingTogetherFormOneBatch) {
  Recorder rec;
  rec.hold = true;
  MllpServer server(local(1), rec.handlers());
  server.start();
  Client first(server.port());
  ASSERT_TRUE(first.send(mllp_frame("first")));
  ASSERT_TRUE(rec.wait_holding());  // the only handler thread is busy with "first"
  std::vector<std::unique_ptr<Client>> others;
  for (int i = 0; i < 5; ++i) {
    others.push_back(std::make_unique<Client>(server.port()));
    ASSERT_TRUE(others.back()->send(mllp_frame("m" + std::to_string(i))));
  }
  ASSERT_TRUE(eventually([&] { return server.queued_requests() == 5; }));
  rec.release();
  EXPECT_EQ(first.read_frame(), "re:first");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(others[i]->read_frame(), "re:m" + std::to_string(i));
  std::lock_guard lock(rec.mu);
  ASSERT_EQ(rec.batch_sizes.size(), 2u);
  EXPECT_EQ(rec.batch_sizes[0], 1u);
  EXPECT_EQ(rec.batch_sizes[1], 5u);  // one batch: one emit, one commit
}

TEST(MllpServer, OversizedFrameIsHandedOverByItsSize) {
  Recorder rec;
  MllpServer server(local(), rec.handlers());
  server.start();
  Client c(server.port());
  ASSERT_TRUE(c.send(mllp_frame(std::string(5000, 'x'))));
  EXPECT_EQ(c.read_frame(), "too big");
  ASSERT_TRUE(c.send(mllp_frame("after")));  // the connection goes on
  EXPECT_EQ(c.read_frame(), "re:after");
  std::lock_guard lock(rec.mu);
  ASSERT_EQ(rec.oversized.size(), 1u);
  EXPECT_EQ(rec.oversized[0], 5000u);
}

// A server with one connection slot, taken by a connection it has served.
class OneSlotTaken : public ::testing::Test {
 protected:
  static MllpServerOptions one_slot() {
    MllpServerOptions o = local();
    o.max_connections = 1;
    return o;
  }
  void SetUp() override {
    server_.start();
    served_ = std::make_unique<Client>(server_.port());
    ASSERT_TRUE(served_->send(mllp_frame("a")));
    ASSERT_EQ(served_->read_frame(), "re:a");
  }
  Recorder rec_;
  MllpServer server_{one_slot(), rec_.handlers()};
  std::unique_ptr<Client> served_;
};

TEST_F(OneSlotTaken, ConnectionsOverTheLimitWaitUntilOneCloses) {
  Client b(server_.port());  // completes in the kernel's backlog
  ASSERT_TRUE(b.connected());
  ASSERT_TRUE(b.send(mllp_frame("b")));
  EXPECT_FALSE(b.readable_within(300ms));  // not served while the first is open
  EXPECT_EQ(server_.open_connections(), 1u);
  served_.reset();
  EXPECT_EQ(b.read_frame(), "re:b");
  EXPECT_EQ(server_.open_connections(), 1u);
}

// An HIS reconnecting all its interfaces at once (after a restart or a network
// outage) must not find connections stalled for seconds: with a short listen
// backlog the kernel drops the handshakes over it, and the senders retry
// after 1 s, 3 s, ... The connections over max_connections complete in the
// kernel's backlog and wait there.
TEST_F(OneSlotTaken, ManyConnectionsAtOnceAllCompleteInTheBacklog) {
  constexpr int kWaiting = 200;  // none served: they stay in the backlog
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server_.port());
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  std::vector<pollfd> pending;
  for (int i = 0; i < kWaiting; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    int r = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ASSERT_TRUE(r == 0 || errno == EINPROGRESS) << std::strerror(errno);
    pending.push_back(pollfd{fd, POLLOUT, 0});
  }
  // Each handshake completes (the socket becomes writable) well before the
  // first retransmission of a dropped one, 1 s later.
  int completed = 0;
  const auto deadline = std::chrono::steady_clock::now() + 800ms;
  std::vector<pollfd> waiting = pending;
  while (!waiting.empty()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || ::poll(waiting.data(), waiting.size(), static_cast<int>(left.count())) <= 0) break;
    std::vector<pollfd> still;
    for (const pollfd& p : waiting) {
      if (!p.revents) {
        still.push_back(pollfd{p.fd, POLLOUT, 0});
        continue;
      }
      int error = 0;
      socklen_t len = sizeof error;
      ::getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &error, &len);
      if (error == 0) ++completed;
    }
    waiting = std::move(still);
  }
  for (const pollfd& p : pending) ::close(p.fd);
  EXPECT_EQ(completed, kWaiting);
}

TEST(MllpServer, IdleConnectionIsClosed) {
  Recorder rec;
  MllpServerOptions o = local();
  o.idle_timeout = 100ms;
  MllpServer server(o, rec.handlers());
  server.start();
  Client c(server.port());
  ASSERT_TRUE(c.send(mllp_frame("hello")));
  EXPECT_EQ(c.read_frame(), "re:hello");
  EXPECT_TRUE(c.closed_by_server());
  EXPECT_TRUE(eventually([&] { return server.open_connections() == 0; }));
}

TEST(MllpServer, PeerGoneMidFrameIsReported) {
  Recorder rec;
  MllpServer server(local(), rec.handlers());
  server.start();
  {
    Client c(server.port());
    ASSERT_TRUE(c.send("junk" + std::string("\x0bpartial")));
  }
  std::unique_lock lock(rec.mu);
  ASSERT_TRUE(rec.cv.wait_for(lock, 10s, [&] { return rec.problems.size() == 2; }));
  EXPECT_EQ(rec.problems[0].first, StreamProblem::junk_bytes);
  EXPECT_EQ(rec.problems[0].second, 4u);
  EXPECT_EQ(rec.problems[1].first, StreamProblem::connection_lost_mid_frame);
  EXPECT_EQ(rec.problems[1].second, 7u);
}

TEST(MllpServer, StopAnswersTheFrameInHand) {
  Recorder rec;
  rec.hold = true;
  MllpServer server(local(), rec.handlers());
  server.start();
  Client c(server.port());
  ASSERT_TRUE(c.send(mllp_frame("in hand")));
  ASSERT_TRUE(rec.wait_holding());
  std::thread stopper([&] { server.stop(); });
  rec.release();
  EXPECT_EQ(c.read_frame(), "re:in hand");
  stopper.join();
  EXPECT_TRUE(c.closed_by_server());
  Client late(server.port());
  EXPECT_FALSE(late.connected());  // nothing listens any more
}

}  // namespace
}  // namespace medgate::his_hl7
