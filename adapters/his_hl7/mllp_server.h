// The MLLP listener: POCO sockets (TLS through NetSSL when configured) served
// by one event loop. One I/O thread owns every socket: it accepts, reads and
// decodes frames, and writes replies; it never waits on anything but epoll.
// Complete frames from every connection that has input go, together, to a
// small pool of handler threads as one batch, so a burst from many
// connections is handled (and made durable) as one unit instead of one
// thread per connection each waiting on its own commit.
// Per connection, replies go out in the order the frames came in, and a
// connection's next frames are read only after its previous ones were
// answered (the sender waits for each ACK anyway). Knows nothing of HL7
// beyond the framing.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace medgate::his_hl7 {

struct MllpServerOptions {
  std::string listen = "127.0.0.1:2575";  // host:port; port 0 picks a free one
  std::size_t max_connections = 64;        // more wait in the listen backlog
  std::size_t max_message_bytes = 1u << 20;
  std::chrono::milliseconds idle_timeout{300'000};  // a silent connection is closed after this
  std::size_t handler_threads = 4;                  // batches handled at once
  // TLS when cert_file is set: the server's certificate chain and key (PEM);
  // with ca_file, clients must present a certificate it signed.
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
};

// For `medgated --check` and validation: the certificate, key and CA load and
// the key belongs to the certificate (what start() would find). An empty
// string when they do, else the reason.
std::string tls_problem(const MllpServerOptions& options);

// What a connection saw that was not a message, for the source to count and log.
enum class StreamProblem { junk_bytes, frame_cut_short, connection_lost_mid_frame };

// One frame to answer: a message, or a frame over max_message_bytes
// (discarded unread; `oversized_bytes` says how long it was).
struct MllpRequest {
  std::string message;
  std::size_t oversized_bytes = 0;
  std::string reply;  // set by the handler; empty: no reply
};

struct MllpHandlers {
  // Fills in every request's reply. Requests of one connection are in
  // arrival order; a batch may hold requests of many connections.
  std::function<void(std::vector<MllpRequest>& batch)> on_batch;
  std::function<void(StreamProblem, std::size_t bytes)> on_problem;
  std::function<void(std::string_view what)> on_connection_error;
};

class MllpServer {
 public:
  MllpServer(MllpServerOptions options, MllpHandlers handlers);
  ~MllpServer();
  MllpServer(const MllpServer&) = delete;
  MllpServer& operator=(const MllpServer&) = delete;

  // Binds and starts serving; throws std::runtime_error with the reason
  // (address in use, bad certificate, ...).
  void start();
  // Stops accepting and reading, answers the frames in hand, sends what can
  // be sent, closes every connection and returns.
  void stop();
  std::uint16_t port() const noexcept;
  std::size_t open_connections() const noexcept;
  // Requests read and waiting for a free handler thread.
  std::size_t queued_requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medgate::his_hl7
