// What medgatectl's admin API commands share: one call with the problem
// printed as a one-line error, and small readers for the JSON answers.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "medgate/sdk/value.h"

namespace medgate::ctl {

// Where to reach medgated: the config names admin.listen; the token comes
// from --token-file, $MEDGATE_TOKEN_FILE or the config's admin.tokens.
struct ApiTarget {
  std::string config;
  std::string token_file;
};

// Prints "medgatectl: MSG" and the --help hint; returns 2 (usage error).
int usage_error(const std::string& msg);

struct ApiCall {
  std::string method = "GET";
  std::string path;
  std::string body;  // JSON, for POST
  std::vector<int> accept = {200};  // statuses whose JSON body is the answer
  std::chrono::seconds timeout{30};
  std::function<void(const std::string&)> on_line;  // streamed answers
};

// Makes the call; 0 with the parsed answer in `doc` (and its HTTP status in
// `status`), or 1 after printing why (unreachable, refused, HTTP error with
// the daemon's reason, not JSON).
int api_call(const ApiTarget& at, const ApiCall& call, sdk::Value& doc, int* status = nullptr);
inline int api_get(const ApiTarget& at, const std::string& path, sdk::Value& doc) {
  ApiCall call;
  call.path = path;
  return api_call(at, call, doc);
}

// A member as text ("-" when absent), and an array member (empty when absent).
std::string str(const sdk::Value& v, const char* key);
const sdk::Value::Array& items(const sdk::Value& doc, const char* key);
// Prints doc[list] as the table of a store listing (dlq list, quarantine
// list): NAME ENTRIES BYTES OLDEST NEWEST, NAME from member `name_key`
// headed `heading`, the OLDEST column `time_width` wide.
void print_store_table(const sdk::Value& doc, const char* list, const char* name_key, const char* heading,
                       int time_width);
// Accepts only "--json" among `args`; false (rc set) on anything else.
bool take_json_flag(const std::vector<std::string>& args, const char* cmd, bool& json, int& rc);
// A whole number of at most 12 digits.
bool whole_number(const std::string& s, std::size_t& out);
// `s` as one URL path segment (percent-encoding all but [A-Za-z0-9._-]).
std::string path_segment(const std::string& s);

// The arguments of a paged listing: [NAME] [--offset N] [--limit N] [--json].
struct PageArgs {
  std::string name;  // the one positional argument, "" when absent
  std::size_t offset = 0, limit = 50;
  bool json = false;
};
// False after printing a usage error for `cmd` (then `rc` is the exit code).
bool parse_page_args(const std::vector<std::string>& args, const std::string& cmd, PageArgs& out, int& rc);
// "?offset=N&limit=N" of `p`.
std::string page_query(const PageArgs& p);

}  // namespace medgate::ctl
