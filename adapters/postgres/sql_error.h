// What a failed statement means for the records in it, decided by SQLSTATE
// (PostgreSQL's error codes, appendix A of its manual), and how to report it
// without the values that may be in the server's message.
#pragma once

#include <string>
#include <string_view>

namespace medgate::postgres_adapter {

enum class ErrorKind {
  record,  // something about one record's values: the same record fails forever
  retry,   // the connection, the server, locks, timeouts, the table itself: try the batch again later
};

// Class 22 (data exception), 23 (integrity constraint violation) and 54
// (program limit exceeded, e.g. a value too large to index) are per record;
// everything else, including an unknown or empty code, is retried: the
// connection (08), shutdowns and cancels (57), serialization failures and
// deadlocks (40), exhausted resources (53), system errors (58), locks (55),
// and a missing or wrongly shaped table (42), which an operator can fix.
ErrorKind classify_sqlstate(std::string_view sqlstate);

// The server's primary message with each double-quoted part that is not an
// object name (column "x", relation "t", constraint "c", ...) replaced by "...",
// e.g. `invalid input syntax for type timestamp with time zone: "2026-13-01"`
// -> `... time zone: "..."`. One line, at most 300 bytes.
std::string redact_message(std::string_view primary);

// "SQLSTATE 22007: <redacted primary message>".
std::string describe_error(std::string_view sqlstate, std::string_view primary);

}  // namespace medgate::postgres_adapter
