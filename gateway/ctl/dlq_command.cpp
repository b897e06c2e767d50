#include "ctl/dlq_command.h"

#include <iostream>

#include "medgate/sdk/json.h"

namespace medgate::ctl {
namespace {

int list(const ApiTarget& at, const std::vector<std::string>& args) {
  bool json = false;
  int rc = 0;
  if (!take_json_flag(args, "dlq list", json, rc)) return rc;
  sdk::Value doc;
  if (int r = api_get(at, "/api/v1/dlq", doc)) return r;
  if (json) {
    std::cout << sdk::to_json(doc) << "\n";
    return 0;
  }
  print_store_table(doc, "targets", "target", "TARGET", 22);
  return 0;
}

int show(const ApiTarget& at, const std::vector<std::string>& args) {
  PageArgs page;
  int rc = 0;
  if (!parse_page_args(args, "dlq show", page, rc)) return rc;
  const std::string& target = page.name;
  const std::size_t offset = page.offset;
  const bool json = page.json;
  if (target.empty()) return usage_error("dlq show needs a TARGET");
  sdk::Value doc;
  if (int r = api_get(at, "/api/v1/dlq/" + path_segment(target) + page_query(page), doc)) return r;
  const auto& entries = items(doc, "entries");
  if (json) {
    for (const auto& e : entries) std::cout << sdk::to_json(e) << "\n";
    return 0;
  }
  std::cout << target << ": entries " << offset + (entries.empty() ? 0 : 1) << "-" << offset + entries.size() << " of "
            << str(doc, "total") << "\n";
  for (const auto& e : entries)
    std::cout << str(e, "time") << "  " << str(e, "idempotency_key") << "  " << str(e, "reason") << "\n";
  return 0;
}

// replay and drop: TARGET (--all | --key KEY...).
int change(const ApiTarget& at, const std::string& action, const std::vector<std::string>& args) {
  std::string target;
  bool all = false;
  sdk::Value::Array keys;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--all") all = true;
    else if (args[i] == "--key" && i + 1 < args.size()) keys.emplace_back(args[++i]);
    else if (target.empty() && args[i].rfind("--", 0) != 0) target = args[i];
    else return usage_error("dlq " + action + ": unexpected argument '" + args[i] + "'");
  }
  if (target.empty()) return usage_error("dlq " + action + " needs a TARGET");
  if (all == !keys.empty()) return usage_error("dlq " + action + " needs --all or one or more --key KEY (not both)");
  sdk::Value body = sdk::Value::object();
  if (all && action == "drop") body["all"] = true;
  if (!keys.empty()) body["keys"] = sdk::Value(std::move(keys));

  ApiCall call;
  call.method = "POST";
  call.path = "/api/v1/dlq/" + path_segment(target) + "/" + action;
  call.body = sdk::to_json(body);
  call.timeout = std::chrono::seconds(120);
  if (action == "replay")
    call.on_line = [](const std::string& line) {  // {"done":N,"total":M} while it runs
      sdk::Value p;
      if (!sdk::parse_json(line, p).ok() || !p.find("done")) return;
      std::cerr << "replaying: " << str(p, "done") << " of " << str(p, "total") << "\n";
    };
  sdk::Value doc;
  if (int r = api_call(at, call, doc)) return r;
  const std::string count = str(doc, action == "replay" ? "replayed" : "dropped");
  std::cout << (action == "replay" ? "replayed " : "dropped ") << count << " dead letter" << (count == "1" ? "" : "s")
            << " of " << target << "\n";
  if (doc.find("error")) {
    std::cerr << "medgatectl: dlq " << action << " stopped: " << str(doc, "error") << "\n";
    return 1;
  }
  return 0;
}
}  // namespace

int cmd_dlq(const ApiTarget& at, const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("dlq needs list, show, replay or drop");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return list(at, rest);
  if (args[0] == "show") return show(at, rest);
  if (args[0] == "replay" || args[0] == "drop") return change(at, args[0], rest);
  return usage_error("unknown dlq command '" + args[0] + "' (list, show, replay, drop)");
}

}  // namespace medgate::ctl
