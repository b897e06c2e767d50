#include "sql_error.h"

#include <array>

namespace medgate::postgres_adapter {
namespace {

constexpr std::size_t kMaxMessage = 300;

// Words after which PostgreSQL quotes an object name, not a value.
constexpr std::array<std::string_view, 12> kNameWords = {"column",   "relation", "constraint", "table",
                                                         "index",    "schema",   "type",       "function",
                                                         "database", "role",     "sequence",   "savepoint"};

bool follows_name_word(std::string_view text, std::size_t quote) {
  std::size_t end = quote;
  while (end > 0 && text[end - 1] == ' ') --end;
  std::size_t begin = end;
  while (begin > 0 && text[begin - 1] != ' ' && text[begin - 1] != '(') --begin;
  std::string_view word = text.substr(begin, end - begin);
  for (std::string_view w : kNameWords)
    if (word == w) return true;
  return false;
}

}  // namespace

ErrorKind classify_sqlstate(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return ErrorKind::retry;
  std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "22" || cls == "23" || cls == "54") return ErrorKind::record;
  return ErrorKind::retry;
}

std::string redact_message(std::string_view primary) {
  std::string out;
  std::size_t i = 0;
  while (i < primary.size() && out.size() <= kMaxMessage) {
    char c = primary[i];
    if (c == '"') {
      std::size_t close = primary.find('"', i + 1);
      if (close == std::string_view::npos) close = primary.size();
      if (follows_name_word(primary, i))
        out.append(primary.substr(i, close + 1 - i));
      else
        out += "\"...\"";
      i = close + 1;
      continue;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    ++i;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > kMaxMessage) {
    std::size_t cut = kMaxMessage;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // a UTF-8 boundary
    out.resize(cut);
  }
  return out;
}

std::string describe_error(std::string_view sqlstate, std::string_view primary) {
  std::string s = "SQLSTATE ";
  s += sqlstate.empty() ? std::string_view("none") : sqlstate;
  s += ": ";
  s += redact_message(primary);
  return s;
}

}  // namespace medgate::postgres_adapter
