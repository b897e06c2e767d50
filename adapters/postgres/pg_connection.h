// One libpq connection driven asynchronously, so that every wait (connect,
// send, answer) ends at a deadline or when the host asks the plugin to stop,
// even when the server is gone without closing the socket. libpq types stay
// inside this file pair.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "medgate/sdk/status.h"
#include "sql_error.h"

struct pg_conn;

namespace medgate::postgres_adapter {

struct ConnectSettings {
  std::string host;  // host name, address, or an absolute unix socket directory
  std::uint16_t port = 5432;
  std::string dbname;
  std::string user;
  std::string password;  // empty: none
  std::string sslmode = "prefer";
  std::string ssl_root_cert_file;                       // empty: libpq's default
  std::chrono::milliseconds statement_timeout{30'000};  // set for the session on the server
  std::string application_name = "medgate";
};

struct SqlResult {
  bool ok = true;
  bool connection_lost = false;  // the connection is closed now (by the server, a timeout or a stop)
  std::string sqlstate;          // the server's code; empty for client-side failures
  std::string message;           // SQLSTATE and the redacted primary message, or the client-side failure

  ErrorKind kind() const { return connection_lost ? ErrorKind::retry : classify_sqlstate(sqlstate); }
};

class PgConnection {
 public:
  // Asked between waits of at most 100 ms; true abandons the call (and the connection).
  using AbortCheck = std::function<bool()>;

  PgConnection() = default;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Connects within `timeout`; unavailable (with libpq's reason) otherwise.
  sdk::Status open(const ConnectSettings& settings, std::chrono::milliseconds timeout, const AbortCheck& abort);
  bool is_open() const noexcept { return conn_ != nullptr; }
  void close() noexcept;

  // One statement with text parameters (nullptr is NULL), answered within
  // `timeout`, else the connection is closed and the result says so.
  SqlResult exec(const std::string& sql, const std::vector<const char*>& params, std::chrono::milliseconds timeout,
                 const AbortCheck& abort);
  // One or more statements without parameters ("RELEASE SAVEPOINT a; SAVEPOINT a").
  SqlResult exec(const std::string& sql, std::chrono::milliseconds timeout, const AbortCheck& abort);

 private:
  SqlResult finish(bool sent, std::chrono::steady_clock::time_point deadline, const AbortCheck& abort);
  SqlResult lost(std::string message);

  pg_conn* conn_ = nullptr;
};

}  // namespace medgate::postgres_adapter
