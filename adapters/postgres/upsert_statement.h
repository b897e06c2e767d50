// The SQL the postgres target sends, built from a validated table name. Values
// never appear in it: every row travels as parameters ($1, $2, ...).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace medgate::postgres_adapter {

// Columns filled per row, in parameter order (see RecordRow).
inline constexpr std::array<std::string_view, 7> kRowColumns = {
    "idempotency_key", "record_id", "source", "event_type", "patient_token", "occurred_at", "payload"};

// Rows per INSERT: keeps a statement well below PostgreSQL's 65535 parameters.
inline constexpr std::size_t kMaxRowsPerStatement = 1000;

// "schema"."name" or "name" for a table that passed check_table_name().
std::string quote_table(std::string_view table);

// CREATE TABLE IF NOT EXISTS with the documented layout (docs/targets/postgres.md).
std::string create_table_sql(std::string_view table);
// CREATE INDEX IF NOT EXISTS on (patient_token, occurred_at): one patient's events in order.
std::string create_index_sql(std::string_view table);

// INSERT INTO table (kRowColumns) VALUES (...), ... ON CONFLICT (idempotency_key)
// DO NOTHING, for `rows` rows of parameters; rows >= 1.
std::string insert_sql(std::string_view table, std::size_t rows);

}  // namespace medgate::postgres_adapter
