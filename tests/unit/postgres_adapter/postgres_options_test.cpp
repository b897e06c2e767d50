// The postgres target's declared options and their validation (no server).
#include <gtest/gtest.h>

#include "../temp_dir.h"
#include "postgres_target_options.h"
#include "test_support.h"

namespace {
using namespace medgate::postgres_adapter;
using medgate::sdk::OptionType;
using medgate::sdk::StatusCode;
using medgate::sdk::Value;
using medgate::testing::pg_config;

Value base() {
  Value v = Value::object();
  v["dbname"] = "analytics";
  v["user"] = "medgate";
  return v;
}

TEST(PostgresOptions, DeclaresEachOptionOnceWithTypesAndDefaults) {
  auto options = PostgresTargetOptions::declare();
  std::vector<std::string> names;
  for (const auto& o : options) names.push_back(o.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"host", "port", "dbname", "user", "password_file", "table", "sslmode",
                                      "ssl_root_cert_file", "connect_timeout", "statement_timeout", "create_table"}));
  auto find = [&](const std::string& n) {
    for (const auto& o : options)
      if (o.name == n) return o;
    ADD_FAILURE() << n;
    return options[0];
  };
  EXPECT_EQ(find("host").default_value, Value("127.0.0.1"));
  EXPECT_EQ(find("port").type, OptionType::integer);
  EXPECT_EQ(find("port").default_value, Value(5432));
  EXPECT_TRUE(find("dbname").required);
  EXPECT_TRUE(find("user").required);
  EXPECT_EQ(find("password_file").type, OptionType::path);
  EXPECT_FALSE(find("password_file").required);
  EXPECT_TRUE(find("password_file").default_value.is_null());
  EXPECT_EQ(find("table").default_value, Value("medgate_records"));
  EXPECT_EQ(find("sslmode").default_value, Value("prefer"));
  EXPECT_EQ(find("connect_timeout").type, OptionType::duration);
  EXPECT_EQ(find("connect_timeout").default_value, Value(std::int64_t{5000}));
  EXPECT_EQ(find("statement_timeout").default_value, Value(std::int64_t{30000}));
  EXPECT_EQ(find("create_table").type, OptionType::boolean);
  EXPECT_EQ(find("create_table").default_value, Value(true));
  for (const auto& o : options) EXPECT_FALSE(o.description.empty()) << o.name;
}

TEST(PostgresOptions, DefaultsAreValidAndCarriedOver) {
  ASSERT_TRUE(PostgresTargetOptions::validate(pg_config(base())).ok());
  PostgresTargetOptions o = PostgresTargetOptions::from(pg_config(base()));
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 5432);
  EXPECT_EQ(o.dbname, "analytics");
  EXPECT_EQ(o.user, "medgate");
  EXPECT_EQ(o.password_file, "");
  EXPECT_EQ(o.table, "medgate_records");
  EXPECT_EQ(o.sslmode, "prefer");
  EXPECT_EQ(o.connect_timeout, std::chrono::seconds(5));
  EXPECT_EQ(o.statement_timeout, std::chrono::seconds(30));
  EXPECT_TRUE(o.create_table);
}

TEST(PostgresOptions, TableNamesAreSafeIdentifiers) {
  for (const char* good : {"medgate_records", "_t", "r2", "analytics.records", "a_b.c_d",
                           "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"}) {
    EXPECT_TRUE(check_table_name(good).ok()) << good;
    Value v = base();
    v["table"] = good;
    EXPECT_TRUE(PostgresTargetOptions::validate(pg_config(v)).ok()) << good;
  }
  for (const char* bad :
       {"", "Records", "2records", "records;drop table x", "a.b.c", ".records", "records.", "re cords", "\"records\"",
        "rec-ords", "réc", "a.", "x.Y", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"}) {
    Value v = base();
    v["table"] = bad;
    auto s = PostgresTargetOptions::validate(pg_config(v));
    EXPECT_EQ(s.code(), StatusCode::invalid_argument) << bad;
    EXPECT_NE(s.message().find("table"), std::string::npos) << s.message();
  }
}

TEST(PostgresOptions, RefusesBadValuesNamingTheOption) {
  auto invalid = [](const char* key, Value value) {
    Value v = base();
    v[key] = std::move(value);
    auto s = PostgresTargetOptions::validate(pg_config(v));
    EXPECT_EQ(s.code(), StatusCode::invalid_argument) << key;
    EXPECT_NE(s.message().find(key), std::string::npos) << s.message();
  };
  invalid("port", Value(0));
  invalid("port", Value(65536));
  invalid("host", Value(""));
  invalid("host", Value("db1,db2"));
  invalid("dbname", Value(""));
  invalid("user", Value(""));
  invalid("sslmode", Value("allow-everything"));
  invalid("sslmode", Value("verify-full"));  // without ssl_root_cert_file
  invalid("sslmode", Value("verify-ca"));
  invalid("connect_timeout", Value(999));
  invalid("statement_timeout", Value(500));
  invalid("statement_timeout", Value(std::int64_t{2} * 3600 * 1000));
  invalid("password_file", Value("/nonexistent/password"));
  invalid("ssl_root_cert_file", Value("/nonexistent/root.crt"));
}

TEST(PostgresOptions, SecretAndCertificateFiles) {
  medgate::testing::TempDir dir;
  medgate::testing::write_file(dir / "pw", "s3cret\n");
  medgate::testing::write_file(dir / "open-pw", "s3cret\n", 0644);
  medgate::testing::write_file(dir / "root.crt", "-----BEGIN CERTIFICATE-----\n", 0644);
  Value v = base();
  v["password_file"] = dir / "pw";
  EXPECT_TRUE(PostgresTargetOptions::validate(pg_config(v)).ok());
  EXPECT_EQ(PostgresTargetOptions::from(pg_config(v)).password_file, dir / "pw");

  v["password_file"] = dir / "open-pw";  // group/other readable: refused, contents never shown
  auto s = PostgresTargetOptions::validate(pg_config(v));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("password_file"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("s3cret"), std::string::npos);

  v = base();
  v["sslmode"] = "verify-full";
  v["ssl_root_cert_file"] = dir / "root.crt";
  EXPECT_TRUE(PostgresTargetOptions::validate(pg_config(v)).ok());
  EXPECT_EQ(PostgresTargetOptions::from(pg_config(v)).ssl_root_cert_file, dir / "root.crt");
  v["sslmode"] = "disable";
  EXPECT_FALSE(PostgresTargetOptions::validate(pg_config(v)).ok());
}

TEST(PostgresOptions, UnixSocketDirectoryAsHost) {
  Value v = base();
  v["host"] = "/var/run/postgresql";
  v["port"] = 5433;
  v["create_table"] = false;
  v["statement_timeout"] = 1000;
  ASSERT_TRUE(PostgresTargetOptions::validate(pg_config(v)).ok());
  PostgresTargetOptions o = PostgresTargetOptions::from(pg_config(v));
  EXPECT_EQ(o.host, "/var/run/postgresql");
  EXPECT_EQ(o.port, 5433);
  EXPECT_FALSE(o.create_table);
  EXPECT_EQ(o.statement_timeout, std::chrono::seconds(1));
}

}  // namespace
