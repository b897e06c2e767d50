#include "postgres_target_options.h"

#include <sys/stat.h>
#include <unistd.h>

#include <array>

#include "medgate/sdk/secrets.h"

namespace medgate::postgres_adapter {
namespace {

using sdk::Status;

constexpr std::array<std::string_view, 5> kSslModes = {"disable", "prefer", "require", "verify-ca", "verify-full"};
constexpr std::int64_t kMinTimeoutMs = 1'000;
constexpr std::int64_t kMaxTimeoutMs = 60 * 60 * 1000;

bool identifier_ok(std::string_view part) {
  if (part.empty() || part.size() > 63) return false;
  if (!(part[0] == '_' || (part[0] >= 'a' && part[0] <= 'z'))) return false;
  for (char c : part)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

bool readable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), R_OK) == 0;
}

}  // namespace

Status check_table_name(std::string_view table) {
  std::string_view schema;
  std::string_view name = table;
  if (auto dot = table.find('.'); dot != std::string_view::npos) {
    schema = table.substr(0, dot);
    name = table.substr(dot + 1);
    if (!identifier_ok(schema))
      return Status::Invalid(
          "table: the schema part must be 1..63 lowercase letters, digits or '_', not starting "
          "with a digit");
  }
  if (!identifier_ok(name))
    return Status::Invalid(
        "table must be NAME or SCHEMA.NAME, each 1..63 lowercase letters, digits or '_', not "
        "starting with a digit");
  return Status::Ok();
}

sdk::OptionList PostgresTargetOptions::declare() {
  using sdk::OptionType;
  using sdk::Value;
  return {
      {"host", OptionType::string, "server host name or address, or an absolute directory holding its unix socket",
       Value("127.0.0.1"), false},
      {"port", OptionType::integer, "server port (also names the unix socket file)", Value(5432), false},
      {"dbname", OptionType::string, "database to write into", Value(), true},
      {"user", OptionType::string, "database user", Value(), true},
      {"password_file", OptionType::path, "file holding the user's password (mode 0600 or stricter); none: no password",
       Value(), false},
      {"table", OptionType::string, "table the records go to: NAME or SCHEMA.NAME (lowercase identifiers)",
       Value("medgate_records"), false},
      {"sslmode", OptionType::string, "TLS to the server: disable, prefer, require, verify-ca or verify-full",
       Value("prefer"), false},
      {"ssl_root_cert_file", OptionType::path,
       "PEM file of the CA certificates that sign the server's certificate (needed by verify-ca and verify-full)",
       Value(), false},
      {"connect_timeout", OptionType::duration, "longest wait for a connection to the server",
       Value(std::int64_t{5'000}), false},
      {"statement_timeout", OptionType::duration,
       "longest a statement may run on the server (a batch past it is retried)", Value(std::int64_t{30'000}), false},
      {"create_table", OptionType::boolean, "create the table (and its patient index) when it does not exist",
       Value(true), false},
  };
}

Status PostgresTargetOptions::validate(const sdk::PluginConfig& c) {
  const std::string& host = c.get_string("host");
  if (host.empty()) return Status::Invalid("host must not be empty");
  if (host.find_first_of(" ,'\\=") != std::string::npos || host.find('\0') != std::string::npos)
    return Status::Invalid("host must be one host name, address or socket directory");
  std::int64_t port = c.get_int("port");
  if (port < 1 || port > 65535) return Status::Invalid("port must be between 1 and 65535");
  if (c.get_string("dbname").empty()) return Status::Invalid("dbname must not be empty");
  if (c.get_string("user").empty()) return Status::Invalid("user must not be empty");
  for (const char* key : {"dbname", "user"})
    if (c.get_string(key).find('\0') != std::string::npos) return Status::Invalid(std::string(key) + " contains NUL");
  if (c.has("password_file")) {
    std::string password;
    if (Status s = sdk::read_secret_file(c.get_string("password_file"), password, "password_file"); !s.ok()) return s;
  }
  if (Status s = check_table_name(c.get_string("table")); !s.ok()) return s;

  const std::string& sslmode = c.get_string("sslmode");
  bool known = false;
  for (std::string_view m : kSslModes) known = known || m == sslmode;
  if (!known) return Status::Invalid("sslmode must be one of disable, prefer, require, verify-ca, verify-full");
  if (c.has("ssl_root_cert_file")) {
    if (!readable_file(c.get_string("ssl_root_cert_file")))
      return Status::Invalid("ssl_root_cert_file " + c.get_string("ssl_root_cert_file") + " is not a readable file");
    if (sslmode == "disable") return Status::Invalid("ssl_root_cert_file is set but sslmode is disable");
  } else if (sslmode == "verify-ca" || sslmode == "verify-full") {
    return Status::Invalid("sslmode " + sslmode + " needs ssl_root_cert_file (the CA that signs the server)");
  }

  for (const char* key : {"connect_timeout", "statement_timeout"}) {
    std::int64_t ms = c.get_int(key);
    if (ms < kMinTimeoutMs || ms > kMaxTimeoutMs)
      return Status::Invalid(std::string(key) + " must be between 1s and 1h");
  }
  return Status::Ok();
}

PostgresTargetOptions PostgresTargetOptions::from(const sdk::PluginConfig& c) {
  PostgresTargetOptions o;
  o.host = c.get_string("host");
  o.port = static_cast<std::uint16_t>(c.get_int("port"));
  o.dbname = c.get_string("dbname");
  o.user = c.get_string("user");
  if (c.has("password_file")) o.password_file = c.get_string("password_file");
  o.table = c.get_string("table");
  o.sslmode = c.get_string("sslmode");
  if (c.has("ssl_root_cert_file")) o.ssl_root_cert_file = c.get_string("ssl_root_cert_file");
  o.connect_timeout = std::chrono::milliseconds(c.get_int("connect_timeout"));
  o.statement_timeout = std::chrono::milliseconds(c.get_int("statement_timeout"));
  o.create_table = c.get_bool("create_table");
  return o;
}

}  // namespace medgate::postgres_adapter
