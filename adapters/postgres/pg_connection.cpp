#include "pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <utility>

namespace medgate::postgres_adapter {
namespace {

using Clock = std::chrono::steady_clock;
using sdk::Status;
constexpr std::chrono::milliseconds kSlice{100};

enum class Wait { ready, timeout, aborted, failed };

// Waits until `fd` is readable/writable, the deadline passes or abort() says so.
Wait wait_socket(int fd, bool for_read, bool for_write, Clock::time_point deadline,
                 const PgConnection::AbortCheck& abort) {
  if (fd < 0) return Wait::failed;
  for (;;) {
    if (abort && abort()) return Wait::aborted;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return Wait::timeout;
    pollfd p{fd, static_cast<short>((for_read ? POLLIN : 0) | (for_write ? POLLOUT : 0)), 0};
    int rc = ::poll(&p, 1, static_cast<int>(std::min(left, kSlice).count()));
    if (rc > 0) return Wait::ready;  // including POLLERR/POLLHUP: libpq reports those
    if (rc < 0 && errno != EINTR) return Wait::failed;
  }
}

// libpq's messages end in '\n' and may span lines; one line for logs and reasons.
std::string one_line(const char* text) {
  std::string s = text ? text : "";
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  std::string out;
  for (char c : s)
    if (!(c == ' ' && !out.empty() && out.back() == ' ')) out += c;
  return out.size() > 400 ? out.substr(0, 400) : out;
}

std::string millis(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

}  // namespace

PgConnection::~PgConnection() {
  close();
}

void PgConnection::close() noexcept {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

Status PgConnection::open(const ConnectSettings& s, std::chrono::milliseconds timeout, const AbortCheck& abort) {
  close();
  const std::string port = std::to_string(s.port);
  const std::string options = "-c statement_timeout=" + std::to_string(s.statement_timeout.count()) +
                              " -c TimeZone=UTC -c client_min_messages=warning";
  const std::string timeout_s = std::to_string((timeout.count() + 999) / 1000);
  std::vector<std::pair<const char*, const char*>> params = {
      {"host", s.host.c_str()},
      {"port", port.c_str()},
      {"dbname", s.dbname.c_str()},
      {"user", s.user.c_str()},
      {"sslmode", s.sslmode.c_str()},
      {"options", options.c_str()},
      {"client_encoding", "UTF8"},
      {"application_name", s.application_name.c_str()},
      {"connect_timeout", timeout_s.c_str()},  // for libpq's records; the deadline below enforces it
      {"keepalives", "1"},
      {"keepalives_idle", "30"},
      {"keepalives_interval", "10"},
      {"keepalives_count", "3"},
  };
  if (!s.password.empty()) params.emplace_back("password", s.password.c_str());
  if (!s.ssl_root_cert_file.empty()) params.emplace_back("sslrootcert", s.ssl_root_cert_file.c_str());
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [k, v] : params) {
    keys.push_back(k);
    values.push_back(v);
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);

  const std::string where = "postgres at " + s.host + ":" + port + "/" + s.dbname;
  PGconn* conn = PQconnectStartParams(keys.data(), values.data(), 0);
  if (conn == nullptr) return Status::Unavailable("cannot connect to " + where + ": out of memory");
  const auto deadline = Clock::now() + timeout;
  // As the libpq manual describes: poll for writing first, then as PQconnectPoll asks.
  PostgresPollingStatusType st = PQstatus(conn) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (st != PGRES_POLLING_OK && st != PGRES_POLLING_FAILED) {
    Wait w = wait_socket(PQsocket(conn), st == PGRES_POLLING_READING, st == PGRES_POLLING_WRITING, deadline, abort);
    if (w == Wait::timeout || w == Wait::aborted) {
      PQfinish(conn);
      return Status::Unavailable(
          "cannot connect to " + where + ": " +
          (w == Wait::aborted ? std::string("stopping") : "no connection within " + millis(timeout)));
    }
    st = PQconnectPoll(conn);
  }
  if (st == PGRES_POLLING_FAILED || PQstatus(conn) != CONNECTION_OK) {
    std::string why = one_line(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot connect to " + where + ": " + why);
  }
  // Notices ("relation already exists, skipping") would go to stderr; the
  // plugin reports what matters through the host's log instead.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  if (PQsetnonblocking(conn, 1) != 0) {
    std::string why = one_line(PQerrorMessage(conn));
    PQfinish(conn);
    return Status::Unavailable("cannot use " + where + " without blocking: " + why);
  }
  conn_ = conn;
  return Status::Ok();
}

SqlResult PgConnection::lost(std::string message) {
  close();
  SqlResult r;
  r.ok = false;
  r.connection_lost = true;
  r.message = std::move(message);
  return r;
}

SqlResult PgConnection::exec(const std::string& sql, const std::vector<const char*>& params,
                             std::chrono::milliseconds timeout, const AbortCheck& abort) {
  if (!conn_) return lost("not connected");
  bool sent = PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(), nullptr,
                                nullptr, 0) == 1;
  return finish(sent, Clock::now() + timeout, abort);
}

SqlResult PgConnection::exec(const std::string& sql, std::chrono::milliseconds timeout, const AbortCheck& abort) {
  if (!conn_) return lost("not connected");
  bool sent = PQsendQuery(conn_, sql.c_str()) == 1;
  return finish(sent, Clock::now() + timeout, abort);
}

SqlResult PgConnection::finish(bool sent, Clock::time_point deadline, const AbortCheck& abort) {
  auto gave_up = [&](Wait w) {
    return lost(w == Wait::aborted   ? "stopping: the statement was abandoned and the connection closed"
                : w == Wait::timeout ? "no answer from the server in time; the connection was closed"
                                     : "cannot wait for the server's socket");
  };
  if (!sent) return lost("cannot send the statement: " + one_line(PQerrorMessage(conn_)));
  // Nonblocking mode: push the whole statement out, reading meanwhile so the
  // server never blocks on us.
  for (;;) {
    int f = PQflush(conn_);
    if (f < 0) return lost("cannot send the statement: " + one_line(PQerrorMessage(conn_)));
    if (f == 0) break;
    Wait w = wait_socket(PQsocket(conn_), true, true, deadline, abort);
    if (w != Wait::ready) return gave_up(w);
    if (PQconsumeInput(conn_) == 0) return lost("connection lost: " + one_line(PQerrorMessage(conn_)));
  }
  SqlResult r;
  for (;;) {
    while (PQisBusy(conn_)) {
      Wait w = wait_socket(PQsocket(conn_), true, false, deadline, abort);
      if (w != Wait::ready) return gave_up(w);
      if (PQconsumeInput(conn_) == 0) {
        if (r.ok) return lost("connection lost: " + one_line(PQerrorMessage(conn_)));
        // The server said why before it closed (e.g. 57P01 admin shutdown).
        SqlResult l = lost(r.message);
        l.sqlstate = r.sqlstate;
        return l;
      }
    }
    PGresult* res = PQgetResult(conn_);
    if (res == nullptr) break;
    ExecStatusType st = PQresultStatus(res);
    if ((st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE) && r.ok) {
      r.ok = false;
      const char* code = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
      r.sqlstate = code ? code : "";
      r.message =
          primary ? describe_error(r.sqlstate, primary) : "connection lost: " + one_line(PQresultErrorMessage(res));
    }
    PQclear(res);
    if (PQstatus(conn_) == CONNECTION_BAD) break;
  }
  if (PQstatus(conn_) == CONNECTION_BAD) {
    std::string message = r.ok ? "connection lost: " + one_line(PQerrorMessage(conn_)) : r.message;
    SqlResult l = lost(std::move(message));
    l.sqlstate = r.sqlstate;
    return l;
  }
  return r;
}

}  // namespace medgate::postgres_adapter
