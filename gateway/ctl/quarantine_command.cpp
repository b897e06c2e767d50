#include "ctl/quarantine_command.h"

#include <fstream>
#include <iomanip>
#include <iostream>

#include "medgate/sdk/json.h"

namespace medgate::ctl {
namespace {

int list(const ApiTarget& at, const std::vector<std::string>& args) {
  PageArgs page;
  int rc = 0;
  if (!parse_page_args(args, "quarantine list", page, rc)) return rc;
  const std::string& source = page.name;
  const bool json = page.json;
  sdk::Value doc;
  if (source.empty()) {
    if (int r = api_get(at, "/api/v1/quarantine", doc)) return r;
    if (json) {
      std::cout << sdk::to_json(doc) << "\n";
      return 0;
    }
    print_store_table(doc, "sources", "source", "SOURCE", 28);
    return 0;
  }
  if (int r = api_get(at, "/api/v1/quarantine/" + path_segment(source) + page_query(page), doc)) return r;
  const auto& entries = items(doc, "entries");
  if (json) {
    for (const auto& e : entries) std::cout << sdk::to_json(e) << "\n";
    return 0;
  }
  // Positions page through the list; ENTRY is the number an input keeps (for show and drop).
  std::cout << source << ": inputs " << page.offset + (entries.empty() ? 0 : 1) << "-" << page.offset + entries.size()
            << " of " << str(doc, "total") << "\n";
  if (!entries.empty())
    std::cout << std::setw(6) << "ENTRY" << "  " << std::left << std::setw(24) << "TIME" << std::right << "  "
              << std::setw(8) << "BYTES" << "  REASON\n";
  for (const auto& e : entries)
    std::cout << std::setw(6) << str(e, "entry") << "  " << str(e, "time") << "  " << std::setw(8) << str(e, "bytes")
              << "  " << str(e, "reason") << "\n";
  return 0;
}

int show(const ApiTarget& at, const std::vector<std::string>& args) {
  std::string source, out_file;
  std::size_t entry = 0;
  bool have_entry = false, json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--json") json = true;
    else if (args[i] == "--out" && i + 1 < args.size()) out_file = args[++i];
    else if (source.empty() && args[i].rfind("--", 0) != 0) source = args[i];
    else if (!have_entry && whole_number(args[i], entry)) have_entry = true;
    else return usage_error("quarantine show: unexpected argument '" + args[i] + "'");
  }
  if (source.empty() || !have_entry || entry == 0)
    return usage_error("quarantine show needs SOURCE and an entry number N (from quarantine list SOURCE)");
  sdk::Value doc;
  if (int r = api_get(at, "/api/v1/quarantine/" + path_segment(source) + "/" + std::to_string(entry), doc)) return r;
  if (json) {
    std::cout << sdk::to_json(doc) << "\n";
    return 0;
  }
  std::cerr << source << " entry " << entry << ", quarantined " << str(doc, "time") << ": " << str(doc, "reason")
            << " (" << str(doc, "bytes") << " bytes; this read is recorded in the audit log)\n";
  std::string raw = str(doc, "raw");
  if (doc.find("raw_base64")) {
    std::cerr << "(not UTF-8: shown as base64)\n";
    raw = str(doc, "raw_base64") + "\n";
  }
  if (!out_file.empty()) {
    std::ofstream out(out_file, std::ios::binary | std::ios::trunc);
    out << raw;
    if (!out) {
      std::cerr << "medgatectl: cannot write " << out_file << "\n";
      return 1;
    }
    return 0;
  }
  // HL7 segments end in CR: show them one per line.
  for (char& c : raw)
    if (c == '\r') c = '\n';
  std::cout << raw;
  if (!raw.empty() && raw.back() != '\n') std::cout << "\n";
  return 0;
}

// drop SOURCE (N... | --all): removes quarantined inputs (audited by medgated).
int drop(const ApiTarget& at, const std::vector<std::string>& args) {
  std::string source;
  bool all = false, json = false;
  sdk::Value::Array entries;
  for (const auto& a : args) {
    std::size_t n = 0;
    if (a == "--all") all = true;
    else if (a == "--json") json = true;
    else if (source.empty() && a.rfind("--", 0) != 0) source = a;
    else if (whole_number(a, n) && n > 0) entries.emplace_back(static_cast<std::int64_t>(n));
    else return usage_error("quarantine drop: unexpected argument '" + a + "'");
  }
  if (source.empty()) return usage_error("quarantine drop needs a SOURCE");
  if (all == !entries.empty())
    return usage_error("quarantine drop needs --all or one or more entry numbers N (from quarantine list SOURCE), not both");
  sdk::Value body = sdk::Value::object();
  if (all) body["all"] = true;
  else body["entries"] = sdk::Value(std::move(entries));
  ApiCall call;
  call.method = "POST";
  call.path = "/api/v1/quarantine/" + path_segment(source) + "/drop";
  call.body = sdk::to_json(body);
  sdk::Value doc;
  if (int r = api_call(at, call, doc)) return r;
  if (json) {
    std::cout << sdk::to_json(doc) << "\n";
    return 0;
  }
  const std::string count = str(doc, "dropped");
  std::cout << "dropped " << count << " quarantined input" << (count == "1" ? "" : "s") << " of " << source
            << " (recorded in the audit log)\n";
  for (const auto& e : items(doc, "entries"))
    std::cout << std::setw(6) << str(e, "entry") << "  " << str(e, "time") << "  " << str(e, "reason") << "\n";
  return 0;
}
}  // namespace

int cmd_quarantine(const ApiTarget& at, const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("quarantine needs list, show or drop");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "list") return list(at, rest);
  if (args[0] == "show") return show(at, rest);
  if (args[0] == "drop") return drop(at, rest);
  return usage_error("unknown quarantine command '" + args[0] + "' (list, show, drop)");
}

}  // namespace medgate::ctl
