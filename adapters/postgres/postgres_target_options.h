// The postgres target's options, declared once (name, type, default,
// description); validation, `from` and docs/targets/postgres.md follow this list.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "medgate/sdk/options.h"
#include "medgate/sdk/status.h"

namespace medgate::postgres_adapter {

inline constexpr const char* kPluginVersion = "1.0.0";

struct PostgresTargetOptions {
  std::string host = "127.0.0.1";  // a host name, an address, or an absolute unix socket directory
  std::uint16_t port = 5432;
  std::string dbname;
  std::string user;
  std::string password_file;              // empty: no password (trust, peer or a client certificate)
  std::string table = "medgate_records";  // a safe identifier, optionally schema-qualified
  std::string sslmode = "prefer";
  std::string ssl_root_cert_file;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds statement_timeout{30'000};
  bool create_table = true;

  static sdk::OptionList declare();
  static sdk::Status validate(const sdk::PluginConfig& config);
  static PostgresTargetOptions from(const sdk::PluginConfig& config);  // config already validated
};

// A table name the plugin may put into SQL: lowercase letters, digits and
// '_', starting with a letter or '_', at most 63 bytes (PostgreSQL's limit),
// optionally "schema.table" with the same rule for the schema.
sdk::Status check_table_name(std::string_view table);

}  // namespace medgate::postgres_adapter
