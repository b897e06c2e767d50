// The SQL text and the reading of server errors (no server).
#include "upsert_statement.h"

#include <gtest/gtest.h>

#include "sql_error.h"

namespace {
using namespace medgate::postgres_adapter;

TEST(UpsertStatement, QuotesPlainAndSchemaQualifiedTables) {
  EXPECT_EQ(quote_table("medgate_records"), "\"medgate_records\"");
  EXPECT_EQ(quote_table("analytics.records"), "\"analytics\".\"records\"");
}

TEST(UpsertStatement, MultiRowInsertTakesEveryValueAsAParameter) {
  std::string sql = insert_sql("analytics.records", 2);
  EXPECT_EQ(sql,
            "INSERT INTO \"analytics\".\"records\" (idempotency_key, record_id, source, event_type, patient_token, "
            "occurred_at, payload) VALUES "
            "($1::text, $2::text, $3::text, $4::text, $5::text, $6::timestamptz, $7::jsonb), "
            "($8::text, $9::text, $10::text, $11::text, $12::text, $13::timestamptz, $14::jsonb) "
            "ON CONFLICT (idempotency_key) DO NOTHING");
  std::string big = insert_sql("t", kMaxRowsPerStatement);
  EXPECT_NE(big.find("$" + std::to_string(kMaxRowsPerStatement * kRowColumns.size()) + "::jsonb)"), std::string::npos);
  EXPECT_LT(kMaxRowsPerStatement * kRowColumns.size(), 65535u);
}

TEST(UpsertStatement, TableLayout) {
  std::string ddl = create_table_sql("medgate_records");
  for (const char* column :
       {"idempotency_key text PRIMARY KEY", "record_id text", "source text", "event_type text", "patient_token text",
        "occurred_at timestamptz", "payload jsonb NOT NULL", "delivered_at timestamptz NOT NULL DEFAULT now()"})
    EXPECT_NE(ddl.find(column), std::string::npos) << column;
  EXPECT_EQ(ddl.rfind("CREATE TABLE IF NOT EXISTS \"medgate_records\" (", 0), 0u) << ddl;
  EXPECT_EQ(create_index_sql("analytics.records"),
            "CREATE INDEX IF NOT EXISTS \"records_patient_idx\" ON \"analytics\".\"records\" (patient_token, "
            "occurred_at)");
  std::string long_name(63, 'a');
  std::string index = create_index_sql(long_name);
  EXPECT_NE(index.find("\"" + std::string(51, 'a') + "_patient_idx\""), std::string::npos) << index;
}

TEST(SqlError, PerRecordErrorsAreDataAndConstraintErrors) {
  for (const char* code : {"22001", "22007", "22008", "22P02", "22P05", "23502", "23505", "23514", "54000"})
    EXPECT_EQ(classify_sqlstate(code), ErrorKind::record) << code;
  for (const char* code : {"08006", "08001", "57P01", "57P03", "57014", "40001", "40P01", "53100", "53300", "58030",
                           "55P03", "42P01", "42501", "42703", "XX000", "25P02", "", "2200", "abcdefg"})
    EXPECT_EQ(classify_sqlstate(code), ErrorKind::retry) << code;
}

TEST(SqlError, ReasonsKeepObjectNamesAndDropValues) {
  EXPECT_EQ(redact_message("invalid input syntax for type timestamp with time zone: \"2026-13-45 张三\""),
            "invalid input syntax for type timestamp with time zone: \"...\"");
  EXPECT_EQ(redact_message("value \"13800138000\" is out of range for type integer"),
            "value \"...\" is out of range for type integer");
  EXPECT_EQ(redact_message("null value in column \"payload\" of relation \"medgate_records\" violates not-null "
                           "constraint"),
            "null value in column \"payload\" of relation \"medgate_records\" violates not-null constraint");
  EXPECT_EQ(redact_message("new row for relation \"t\" violates check constraint \"t_record_id_check\""),
            "new row for relation \"t\" violates check constraint \"t_record_id_check\"");
  EXPECT_EQ(redact_message("value too long for type character varying(32)"),
            "value too long for type character varying(32)");
  EXPECT_EQ(redact_message("unterminated \"quote with 张三"), "unterminated \"...\"");
  EXPECT_EQ(redact_message("two\nlines"), "two lines");
  EXPECT_LE(redact_message(std::string(1000, 'x')).size(), 300u);
  std::string chinese = "x";
  for (int i = 0; i < 200; ++i) chinese += "错";
  std::string cut = redact_message(chinese);
  EXPECT_LE(cut.size(), 300u);
  EXPECT_GE(cut.size(), 290u);
  EXPECT_EQ((cut.size() - 1) % 3, 0u);  // whole UTF-8 characters only
  EXPECT_EQ(describe_error("22001", "value too long for type character varying(32)"),
            "SQLSTATE 22001: value too long for type character varying(32)");
}

}  // namespace
