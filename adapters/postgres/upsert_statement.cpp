#include "upsert_statement.h"

namespace medgate::postgres_adapter {
namespace {

constexpr std::array<std::string_view, 7> kParamTypes = {"text", "text",        "text", "text",
                                                         "text", "timestamptz", "jsonb"};

std::string_view name_part(std::string_view table) {
  auto dot = table.find('.');
  return dot == std::string_view::npos ? table : table.substr(dot + 1);
}

}  // namespace

std::string quote_table(std::string_view table) {
  auto dot = table.find('.');
  if (dot == std::string_view::npos) return "\"" + std::string(table) + "\"";
  return "\"" + std::string(table.substr(0, dot)) + "\".\"" + std::string(table.substr(dot + 1)) + "\"";
}

std::string create_table_sql(std::string_view table) {
  return "CREATE TABLE IF NOT EXISTS " + quote_table(table) +
         " (\n"
         "  idempotency_key text PRIMARY KEY,\n"
         "  record_id text,\n"
         "  source text,\n"
         "  event_type text,\n"
         "  patient_token text,\n"
         "  occurred_at timestamptz,\n"
         "  payload jsonb NOT NULL,\n"
         "  delivered_at timestamptz NOT NULL DEFAULT now()\n"
         ")";
}

std::string create_index_sql(std::string_view table) {
  // The index lives in the table's schema; its name stays within 63 bytes.
  std::string index(name_part(table).substr(0, 63 - 12));
  index += "_patient_idx";
  return "CREATE INDEX IF NOT EXISTS \"" + index + "\" ON " + quote_table(table) + " (patient_token, occurred_at)";
}

std::string insert_sql(std::string_view table, std::size_t rows) {
  std::string sql = "INSERT INTO " + quote_table(table) + " (";
  for (std::size_t c = 0; c < kRowColumns.size(); ++c) {
    if (c) sql += ", ";
    sql += kRowColumns[c];
  }
  sql += ") VALUES ";
  std::size_t param = 1;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t c = 0; c < kRowColumns.size(); ++c) {
      if (c) sql += ", ";
      sql += "$" + std::to_string(param++) + "::";
      sql += kParamTypes[c];
    }
    sql += ")";
  }
  sql += " ON CONFLICT (idempotency_key) DO NOTHING";
  return sql;
}

}  // namespace medgate::postgres_adapter
