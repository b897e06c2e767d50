#include "mllp_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Exception.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "mllp_codec.h"

namespace medgate::his_hl7 {
namespace {
using Clock = std::chrono::steady_clock;
using Poco::Net::StreamSocket;

constexpr std::uint64_t kListenerId = 0;
constexpr std::uint64_t kWakeId = 1;
constexpr std::size_t kMaxRequestsPerRead = 64;  // per connection and turn; the rest waits in the socket
constexpr auto kTick = std::chrono::milliseconds(200);  // idle checks, stop checks
constexpr auto kStopFlushTime = std::chrono::seconds(2);  // to send the last replies when stopping

struct Connection {
  std::uint64_t id = 0;
  StreamSocket socket;  // a SecureStreamSocket for TLS (the impl does the TLS)
  MllpDecoder decoder;
  std::string out;  // framed replies not yet sent
  std::size_t out_sent = 0;
  bool busy = false;         // frames handed to the handlers and not answered yet
  bool peer_closed = false;  // nothing more will come; close once answered and sent
  Clock::time_point last_activity = Clock::now();

  Connection(std::uint64_t i, StreamSocket s, std::size_t max_message) : id(i), socket(std::move(s)),
                                                                         decoder(max_message) {}
  int fd() const { return socket.impl()->sockfd(); }
  bool flushed() const { return out_sent == out.size(); }
};

// Requests of many connections, and whose each one is.
struct Batch {
  std::vector<MllpRequest> requests;
  std::vector<std::uint64_t> owners;  // same order
};

std::string what_of(const std::exception& e) {
  if (const auto* p = dynamic_cast<const Poco::Exception*>(&e)) return p->displayText();
  return e.what();
}

bool is_would_block(const Poco::Exception& e) { return e.code() == EAGAIN || e.code() == EWOULDBLOCK; }

// POCO 1.11's SecureStreamSocketImpl does not pass setBlocking(false) on to
// the socket under the TLS layer, so when OpenSSL wants more bytes it polls
// that socket for its (zero) timeout and throws TimeoutException instead of
// returning ERR_SSL_WANT_READ/WRITE. On our non-blocking sockets that
// exception means exactly "would block".
template <typename Io>
int nonblocking(Io io) {
  try {
    return io();
  } catch (const Poco::TimeoutException&) {
    return -1;
  }
}

// TLS 1.2+ with the configured certificate; with a CA, client certificates are required.
Poco::Net::Context::Ptr server_context(const MllpServerOptions& o) {
  Poco::Net::Context::Params params;
  params.certificateFile = o.cert_file;
  params.privateKeyFile = o.key_file;
  params.caLocation = o.ca_file;
  params.verificationMode = o.ca_file.empty() ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_STRICT;
  params.loadDefaultCAs = false;
  auto context = Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params));
  context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
  // POCO loads the key without comparing it with the certificate.
  if (SSL_CTX_check_private_key(context->sslContext()) != 1)
    throw Poco::Net::SSLContextException("the private key " + o.key_file + " does not belong to the certificate " +
                                         o.cert_file);
  return context;
}
}  // namespace

std::string tls_problem(const MllpServerOptions& options) {
  if (options.cert_file.empty()) return "";
  try {
    server_context(options);
  } catch (const Poco::Exception& e) {
    return e.displayText();
  }
  return "";
}

struct MllpServer::Impl {
  MllpServerOptions options;
  MllpHandlers handlers;
  Poco::Net::ServerSocket listener;
  std::uint16_t port = 0;
  int epoll_fd = -1, wake_fd = -1;
  std::thread io_thread;
  std::vector<std::thread> handler_threads;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connection_count{0};

  // Handed from the I/O thread to the handlers, and back.
  mutable std::mutex mu;
  std::condition_variable work_ready;
  std::deque<Batch> work;
  bool work_closed = false;
  std::vector<Batch> answered;

  // Owned by the I/O thread.
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections;
  std::uint64_t next_id = 2;
  bool accepting = false;
  std::string read_buffer = std::string(64 * 1024, '\0');

  ~Impl() {
    if (epoll_fd >= 0) ::close(epoll_fd);
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void wake() {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd, &one, sizeof one);
  }

  void watch(int fd, std::uint64_t id, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = id;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0)
      throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(errno));
  }

  void set_accepting(bool on) {
    if (on == accepting) return;
    const int fd = listener.impl()->sockfd();
    if (on) watch(fd, kListenerId, EPOLLIN);
    else ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    accepting = on;
  }

  void report(const std::string& what) {
    if (handlers.on_connection_error) handlers.on_connection_error(what);
  }
  void problem(StreamProblem p, std::size_t bytes) {
    if (handlers.on_problem) handlers.on_problem(p, bytes);
  }

  // ---- handler threads ----------------------------------------------------

  void handle_loop() {
    for (;;) {
      Batch batch;
      {
        std::unique_lock lock(mu);
        work_ready.wait(lock, [&] { return work_closed || !work.empty(); });
        if (work.empty()) return;
        // Everything waiting goes into one batch: one emit, one commit.
        batch = std::move(work.front());
        work.pop_front();
        while (!work.empty()) {
          Batch& more = work.front();
          for (auto& r : more.requests) batch.requests.push_back(std::move(r));
          batch.owners.insert(batch.owners.end(), more.owners.begin(), more.owners.end());
          work.pop_front();
        }
      }
      try {
        handlers.on_batch(batch.requests);
      } catch (const std::exception& e) {
        // The handler answers every request itself; this is a defect, not input.
        report(std::string("MLLP batch handler failed: ") + e.what());
      }
      {
        std::lock_guard lock(mu);
        answered.push_back(std::move(batch));
      }
      wake();
    }
  }

  // ---- the I/O thread -------------------------------------------------------

  void accept_ready() {
    while (connections.size() < options.max_connections) {
      StreamSocket socket;
      try {
        socket = listener.acceptConnection();
      } catch (const Poco::Exception& e) {
        if (!is_would_block(e)) report("accept: " + e.displayText());
        return;
      }
      try {
        socket.setBlocking(false);
        socket.setNoDelay(true);
        auto c = std::make_unique<Connection>(next_id++, std::move(socket), options.max_message_bytes);
        watch(c->fd(), c->id, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
        connections.emplace(c->id, std::move(c));
        connection_count = connections.size();
      } catch (const std::exception& e) {
        report("accept: " + what_of(e));
      }
    }
    set_accepting(false);  // at max_connections: the rest wait in the backlog
  }

  void close_connection(Connection& c) {
    if (c.decoder.pending_bytes() > 0) problem(StreamProblem::connection_lost_mid_frame, c.decoder.pending_bytes());
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd(), nullptr);
    try {
      c.socket.close();
    } catch (const Poco::Exception&) {
    }
    connections.erase(c.id);  // c is gone
    connection_count = connections.size();
    if (!stopping && connections.size() < options.max_connections) set_accepting(true);
  }

  // Sends what is pending; false when the connection failed and was closed.
  bool flush(Connection& c) {
    try {
      while (!c.flushed()) {
        int n = nonblocking([&] {
          return c.socket.sendBytes(c.out.data() + c.out_sent, static_cast<int>(c.out.size() - c.out_sent));
        });
        // Negative: would block (for TLS also ERR_SSL_WANT_READ); EPOLLOUT or EPOLLIN brings us back.
        if (n < 0) return true;
        if (n == 0) throw Poco::Net::ConnectionResetException("peer closed while sending the reply");
        c.out_sent += static_cast<std::size_t>(n);
        c.last_activity = Clock::now();
      }
      c.out.clear();
      c.out_sent = 0;
      return true;
    } catch (const std::exception& e) {
      report(what_of(e));
      close_connection(c);
      return false;
    }
  }

  // Moves the decoder's frames into `batch` (at most kMaxRequestsPerRead).
  void take_frames(Connection& c, Batch& batch, std::size_t& taken) {
    MllpEvent event;
    while (taken < kMaxRequestsPerRead && c.decoder.next(event)) {
      switch (event.kind) {
        case MllpEvent::Kind::message:
          batch.requests.push_back({std::move(event.payload), 0, {}});
          batch.owners.push_back(c.id);
          ++taken;
          break;
        case MllpEvent::Kind::oversized:
          batch.requests.push_back({{}, event.size, {}});
          batch.owners.push_back(c.id);
          ++taken;
          break;
        case MllpEvent::Kind::junk: problem(StreamProblem::junk_bytes, event.size); break;
        case MllpEvent::Kind::cut_short: problem(StreamProblem::frame_cut_short, event.size); break;
      }
    }
  }

  // Reads what a connection has (until the socket would block) into `batch`;
  // the connection is busy when it contributed requests. Closes it when the
  // peer is done and everything was answered and sent.
  void read(Connection& c, Batch& batch) {
    if (c.busy || stopping) return;
    std::size_t taken = 0;
    take_frames(c, batch, taken);
    try {
      while (!c.peer_closed && taken < kMaxRequestsPerRead) {
        int n = nonblocking(
            [&] { return c.socket.receiveBytes(read_buffer.data(), static_cast<int>(read_buffer.size())); });
        if (n < 0) break;  // would block (for TLS also ERR_SSL_WANT_WRITE)
        if (n == 0) {
          c.peer_closed = true;
          break;
        }
        c.last_activity = Clock::now();
        c.decoder.feed(std::string_view(read_buffer.data(), static_cast<std::size_t>(n)));
        take_frames(c, batch, taken);
      }
    } catch (const std::exception& e) {
      report(what_of(e));
      c.peer_closed = true;
    }
    if (taken > 0) c.busy = true;
    if (c.peer_closed && !c.busy && c.flushed()) close_connection(c);
  }

  void submit(Batch& batch) {
    if (batch.requests.empty()) return;
    {
      std::lock_guard lock(mu);
      work.push_back(std::move(batch));
    }
    work_ready.notify_one();
    batch = Batch();
  }

  // Queues the handlers' replies on their connections and sends them.
  void deliver_answers(std::vector<std::uint64_t>& freed) {
    std::vector<Batch> done;
    {
      std::lock_guard lock(mu);
      done.swap(answered);
    }
    for (auto& b : done) {
      for (std::size_t i = 0; i < b.requests.size(); ++i) {
        auto it = connections.find(b.owners[i]);
        if (it == connections.end()) continue;  // closed meanwhile: the sender resends, we answer AA again
        Connection& c = *it->second;
        if (!b.requests[i].reply.empty()) c.out += mllp_frame(b.requests[i].reply);
        if (c.busy) {
          c.busy = false;
          freed.push_back(c.id);
        }
      }
    }
  }

  void close_idle() {
    const auto now = Clock::now();
    std::vector<Connection*> idle;
    for (auto& [id, c] : connections)
      if (!c->busy && c->flushed() && now - c->last_activity > options.idle_timeout) idle.push_back(c.get());
    for (Connection* c : idle) close_connection(*c);
  }

  std::size_t busy_connections() const {
    std::size_t n = 0;
    for (const auto& [id, c] : connections) n += c->busy ? 1 : 0;
    return n;
  }

  void io_loop() {
    std::vector<epoll_event> events(256);
    auto last_idle_check = Clock::now();
    std::optional<Clock::time_point> flush_deadline;
    Batch batch;
    for (;;) {
      if (stopping) {
        set_accepting(false);
        // Stop once every frame in hand is answered and sent (or time is up).
        if (busy_connections() == 0) {
          bool all_sent = true;
          for (auto& [id, c] : connections) all_sent = all_sent && c->flushed();
          if (!flush_deadline) flush_deadline = Clock::now() + kStopFlushTime;
          if (all_sent || Clock::now() > *flush_deadline) break;
        }
      }
      int n = ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()),
                           static_cast<int>(std::chrono::milliseconds(kTick).count()));
      if (n < 0 && errno != EINTR) {
        report(std::string("epoll_wait: ") + std::strerror(errno));
        break;
      }
      std::vector<std::uint64_t> ready;
      for (int i = 0; i < n; ++i) {
        const std::uint64_t id = events[i].data.u64;
        if (id == kListenerId) {
          if (!stopping) accept_ready();
        } else if (id == kWakeId) {
          std::uint64_t count;
          [[maybe_unused]] ssize_t r = ::read(wake_fd, &count, sizeof count);
        } else {
          ready.push_back(id);
        }
      }
      deliver_answers(ready);  // answered connections are ready to send and read again
      for (std::uint64_t id : ready) {
        auto it = connections.find(id);
        if (it == connections.end()) continue;
        Connection& c = *it->second;
        if (flush(c)) read(c, batch);
      }
      submit(batch);
      if (Clock::now() - last_idle_check >= kTick) {
        last_idle_check = Clock::now();
        close_idle();
      }
    }
    std::vector<Connection*> all;
    for (auto& [id, c] : connections) all.push_back(c.get());
    for (Connection* c : all) close_connection(*c);
  }
};

MllpServer::MllpServer(MllpServerOptions options, MllpHandlers handlers) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handlers = std::move(handlers);
}

MllpServer::~MllpServer() { stop(); }

void MllpServer::start() {
  Impl& m = *impl_;
  const auto& o = m.options;
  try {
    Poco::Net::SocketAddress address(o.listen);
    m.listener = o.cert_file.empty() ? Poco::Net::ServerSocket() : Poco::Net::SecureServerSocket(server_context(o));
    // Not SO_REUSEPORT (POCO's address constructor sets it): another process
    // binding this port must fail, not take half of the HIS's connections.
    m.listener.bind(address, true, false);
    // The longest backlog the kernel allows (net.core.somaxconn): an HIS
    // reconnecting every interface at once, or more connections than
    // max_connections, must wait there, not have handshakes dropped (each
    // dropped one stalls its sender 1 s, then 3 s, ...).
    m.listener.listen(SOMAXCONN);
    m.listener.setBlocking(false);
    m.port = m.listener.address().port();
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("MLLP listener on " + o.listen + ": " + e.displayText());
  }
  m.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  m.wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (m.epoll_fd < 0 || m.wake_fd < 0) throw std::runtime_error(std::string("MLLP listener: ") + std::strerror(errno));
  m.watch(m.wake_fd, kWakeId, EPOLLIN);
  m.set_accepting(true);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, o.handler_threads); ++i)
    m.handler_threads.emplace_back([&m] { m.handle_loop(); });
  m.io_thread = std::thread([&m] {
    try {
      m.io_loop();
    } catch (const std::exception& e) {
      m.report(std::string("MLLP event loop failed: ") + e.what());
    }
  });
}

void MllpServer::stop() {
  if (!impl_) return;
  Impl& m = *impl_;
  if (!m.io_thread.joinable()) return;
  m.stopping = true;
  m.wake();
  m.io_thread.join();
  {
    std::lock_guard lock(m.mu);
    m.work_closed = true;
  }
  m.work_ready.notify_all();
  for (auto& t : m.handler_threads) t.join();
  m.handler_threads.clear();
  try {
    m.listener.close();
  } catch (const Poco::Exception&) {
  }
}

std::uint16_t MllpServer::port() const noexcept { return impl_->port; }
std::size_t MllpServer::open_connections() const noexcept { return impl_->connection_count.load(); }

std::size_t MllpServer::queued_requests() const {
  std::lock_guard lock(impl_->mu);
  std::size_t n = 0;
  for (const auto& b : impl_->work) n += b.requests.size();
  return n;
}

}  // namespace medgate::his_hl7
