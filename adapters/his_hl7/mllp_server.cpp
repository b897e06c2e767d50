#include "mllp_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Net/TCPServerConnectionFactory.h>
#include <Poco/Net/TCPServerParams.h>
#include <Poco/ThreadPool.h>

#include <stdexcept>

#include "mllp_codec.h"

namespace medgate::his_hl7 {
namespace {
using Poco::Net::Socket;
using Poco::Net::StreamSocket;

const Poco::Timespan kPollSlice(0, 200'000);  // how often a waiting connection checks for stop

struct Shared {
  MllpServerOptions options;
  MllpHandlers handlers;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
};

void send_all(StreamSocket& socket, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    int n = socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent));
    if (n <= 0) throw Poco::Net::ConnectionResetException("peer closed while sending the reply");
    sent += static_cast<std::size_t>(n);
  }
}

class MllpConnection : public Poco::Net::TCPServerConnection {
 public:
  MllpConnection(const StreamSocket& socket, Shared& shared) : TCPServerConnection(socket), shared_(shared) {}

  void run() override {
    ++shared_.connections;
    try {
      serve();
    } catch (const Poco::Exception& e) {
      report(e.displayText());
    } catch (const std::exception& e) {
      report(e.what());
    }
    --shared_.connections;
  }

 private:
  void report(const std::string& what) {
    if (shared_.handlers.on_connection_error) shared_.handlers.on_connection_error(what);
  }

  void problem(StreamProblem p, std::size_t bytes) {
    if (shared_.handlers.on_problem) shared_.handlers.on_problem(p, bytes);
  }

  void serve() {
    StreamSocket& s = socket();
    s.setNoDelay(true);
    MllpDecoder decoder(shared_.options.max_message_bytes);
    std::string buffer(64 * 1024, '\0');
    auto idle_since = std::chrono::steady_clock::now();
    while (!shared_.stopping.load()) {
      if (!s.poll(kPollSlice, Socket::SELECT_READ)) {
        if (std::chrono::steady_clock::now() - idle_since > shared_.options.idle_timeout) return;
        continue;
      }
      int n = s.receiveBytes(buffer.data(), static_cast<int>(buffer.size()));
      if (n <= 0) {
        if (decoder.pending_bytes() > 0) problem(StreamProblem::connection_lost_mid_frame, decoder.pending_bytes());
        return;
      }
      idle_since = std::chrono::steady_clock::now();
      decoder.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
      MllpEvent event;
      while (decoder.next(event)) {
        std::string reply;
        switch (event.kind) {
          case MllpEvent::Kind::message: reply = shared_.handlers.on_message(event.payload); break;
          case MllpEvent::Kind::oversized: reply = shared_.handlers.on_oversized(event.size); break;
          case MllpEvent::Kind::junk: problem(StreamProblem::junk_bytes, event.size); break;
          case MllpEvent::Kind::cut_short: problem(StreamProblem::frame_cut_short, event.size); break;
        }
        if (!reply.empty()) send_all(s, mllp_frame(reply));
      }
    }
  }

  Shared& shared_;
};

class ConnectionFactory : public Poco::Net::TCPServerConnectionFactory {
 public:
  explicit ConnectionFactory(Shared& shared) : shared_(shared) {}
  Poco::Net::TCPServerConnection* createConnection(const StreamSocket& socket) override {
    return new MllpConnection(socket, shared_);
  }

 private:
  Shared& shared_;
};
}  // namespace

struct MllpServer::Impl {
  Shared shared;
  std::unique_ptr<Poco::ThreadPool> pool;
  std::unique_ptr<Poco::Net::TCPServer> server;
  std::uint16_t port = 0;
};

MllpServer::MllpServer(MllpServerOptions options, MllpHandlers handlers) : impl_(std::make_unique<Impl>()) {
  impl_->shared.options = std::move(options);
  impl_->shared.handlers = std::move(handlers);
}

MllpServer::~MllpServer() { stop(); }

void MllpServer::start() {
  const auto& o = impl_->shared.options;
  try {
    Poco::Net::SocketAddress address(o.listen);
    Poco::Net::ServerSocket socket;
    if (!o.cert_file.empty()) {
      Poco::Net::Context::Params params;
      params.certificateFile = o.cert_file;
      params.privateKeyFile = o.key_file;
      params.caLocation = o.ca_file;
      params.verificationMode =
          o.ca_file.empty() ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_STRICT;
      params.loadDefaultCAs = false;
      auto context = Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params));
      context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
      socket = Poco::Net::SecureServerSocket(address, 64, context);
    } else {
      socket = Poco::Net::ServerSocket(address, 64);
    }
    impl_->port = socket.address().port();
    auto* params = new Poco::Net::TCPServerParams;
    params->setMaxThreads(static_cast<int>(o.max_connections));
    params->setMaxQueued(static_cast<int>(o.max_connections));
    impl_->pool = std::make_unique<Poco::ThreadPool>(1, static_cast<int>(o.max_connections) + 1);
    impl_->server = std::make_unique<Poco::Net::TCPServer>(new ConnectionFactory(impl_->shared), *impl_->pool,
                                                           socket, params);
    impl_->server->start();
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("MLLP listener on " + o.listen + ": " + e.displayText());
  }
}

void MllpServer::stop() {
  if (!impl_ || !impl_->server) return;
  impl_->shared.stopping = true;
  impl_->server->stop();  // stops accepting and waits for every connection's run() to return
  impl_->pool->joinAll();
  impl_->server.reset();
}

std::uint16_t MllpServer::port() const noexcept { return impl_->port; }
std::size_t MllpServer::open_connections() const noexcept { return impl_->shared.connections.load(); }

}  // namespace medgate::his_hl7
