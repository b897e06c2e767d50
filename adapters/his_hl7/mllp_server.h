// The MLLP listener: a POCO TCP server (optionally TLS) whose connections
// decode MLLP frames and answer each message with what the handler returns,
// in order, on the same connection. Knows nothing of HL7 beyond the framing.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace medgate::his_hl7 {

struct MllpServerOptions {
  std::string listen = "127.0.0.1:2575";  // host:port; port 0 picks a free one
  std::size_t max_connections = 64;
  std::size_t max_message_bytes = 1u << 20;
  std::chrono::milliseconds idle_timeout{300'000};  // a silent connection is closed after this
  // TLS when cert_file is set: the server's certificate chain and key (PEM);
  // with ca_file, clients must present a certificate it signed.
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
};

// What a connection saw that was not a message, for the source to count and log.
enum class StreamProblem { junk_bytes, frame_cut_short, connection_lost_mid_frame };

struct MllpHandlers {
  // A complete message; returns the reply to frame and send (empty: none).
  std::function<std::string(std::string_view message)> on_message;
  // A frame over max_message_bytes (discarded unread); returns the reply.
  std::function<std::string(std::size_t bytes)> on_oversized;
  std::function<void(StreamProblem, std::size_t bytes)> on_problem;
  std::function<void(std::string_view what)> on_connection_error;
};

class MllpServer {
 public:
  MllpServer(MllpServerOptions options, MllpHandlers handlers);
  ~MllpServer();
  MllpServer(const MllpServer&) = delete;
  MllpServer& operator=(const MllpServer&) = delete;

  // Binds and starts accepting; throws std::runtime_error with the reason
  // (address in use, bad certificate, ...).
  void start();
  // Stops accepting, lets each connection finish the message in hand, and
  // returns once every connection has closed.
  void stop();
  std::uint16_t port() const noexcept;
  std::size_t open_connections() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace medgate::his_hl7
