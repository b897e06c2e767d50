#include "ctl/api_call.h"

#include <cctype>

#include <iomanip>
#include <iostream>
#include <sstream>

#include "ctl/admin_client.h"
#include "medgate/sdk/json.h"

namespace medgate::ctl {

int usage_error(const std::string& msg) {
  std::cerr << "medgatectl: " << msg << "\n(see medgatectl --help)\n";
  return 2;
}

int api_call(const ApiTarget& at, const ApiCall& call, sdk::Value& doc, int* status) {
  AdminEndpoint ep;
  if (auto s = find_admin_endpoint(at.config, at.token_file, ep); !s.ok()) {
    std::cerr << "medgatectl: " << s.message() << "\n";
    return 1;
  }
  AdminResponse res;
  if (auto s = admin_request(ep, call.method, call.path, call.body, res, call.timeout, call.on_line); !s.ok()) {
    std::cerr << "medgatectl: " << s.message() << "\n";
    return 1;
  }
  if (status) *status = res.status;
  sdk::Value body;
  // A streamed answer is NDJSON: its last line is the result.
  std::string last = res.body;
  if (call.on_line) {
    while (!last.empty() && last.back() == '\n') last.pop_back();
    last = last.substr(last.rfind('\n') == std::string::npos ? 0 : last.rfind('\n') + 1);
  }
  bool parsed = sdk::parse_json(last, body).ok();
  bool accepted = false;
  for (int a : call.accept) accepted |= a == res.status;
  if (!accepted) {
    const sdk::Value* err = parsed ? body.find("error") : nullptr;
    std::cerr << "medgatectl: " << call.method << " " << call.path << ": HTTP " << res.status << ": "
              << (err && err->is_string() ? err->as_string() : std::string("(no reason given)")) << "\n";
    return 1;
  }
  if (!parsed) {
    std::cerr << "medgatectl: " << call.path << ": the answer is not JSON\n";
    return 1;
  }
  doc = std::move(body);
  return 0;
}

std::string str(const sdk::Value& v, const char* key) {
  const sdk::Value* f = v.find(key);
  if (!f) return "-";
  if (f->is_string()) return f->as_string();
  if (f->is_bool()) return f->as_bool() ? "yes" : "no";
  if (f->is_int()) return std::to_string(f->as_int());
  if (f->is_number()) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(1) << f->as_double();
    return o.str();
  }
  if (f->is_array()) {
    std::string out;
    for (const auto& e : f->as_array()) out += (out.empty() ? "" : ",") + (e.is_string() ? e.as_string() : sdk::to_json(e));
    return out;
  }
  return sdk::to_json(*f);
}

const sdk::Value::Array& items(const sdk::Value& doc, const char* key) {
  static const sdk::Value::Array kNone;
  const sdk::Value* v = doc.find(key);
  return v && v->is_array() ? v->as_array() : kNone;
}

void print_store_table(const sdk::Value& doc, const char* list, const char* name_key, const char* heading,
                       int time_width) {
  std::cout << std::left << std::setw(20) << heading << std::setw(10) << "ENTRIES" << std::setw(12) << "BYTES"
            << std::setw(time_width) << "OLDEST" << "NEWEST\n";
  for (const auto& e : items(doc, list))
    std::cout << std::setw(20) << str(e, name_key) << std::setw(10) << str(e, "entries") << std::setw(12)
              << str(e, "bytes") << std::setw(time_width) << str(e, "oldest") << str(e, "newest") << "\n";
}

bool take_json_flag(const std::vector<std::string>& args, const char* cmd, bool& json, int& rc) {
  json = false;
  for (const auto& a : args) {
    if (a == "--json") json = true;
    else {
      rc = usage_error(std::string(cmd) + ": unexpected argument '" + a + "'");
      return false;
    }
  }
  return true;
}

bool whole_number(const std::string& s, std::size_t& out) {
  if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) return false;
  out = static_cast<std::size_t>(std::stoull(s));
  return true;
}

std::string path_segment(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') out.push_back(static_cast<char>(c));
    else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

bool parse_page_args(const std::vector<std::string>& args, const std::string& cmd, PageArgs& out, int& rc) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") {
      out.json = true;
    } else if ((args[i] == "--offset" || args[i] == "--limit") && i + 1 < args.size()) {
      if (!whole_number(args[i + 1], args[i] == "--offset" ? out.offset : out.limit)) {
        rc = usage_error(cmd + ": " + args[i] + " takes a whole number");
        return false;
      }
      ++i;
    } else if (out.name.empty() && args[i].rfind("--", 0) != 0) {
      out.name = args[i];
    } else {
      rc = usage_error(cmd + ": unexpected argument '" + args[i] + "'");
      return false;
    }
  }
  return true;
}

std::string page_query(const PageArgs& p) {
  return "?offset=" + std::to_string(p.offset) + "&limit=" + std::to_string(p.limit);
}

}  // namespace medgate::ctl
