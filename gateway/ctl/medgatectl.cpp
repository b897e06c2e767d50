// medgatectl: the command-line tool. status, plugins and routes ask the
// running medgated through its admin API; token and plugins --offline work on
// the config and plugin files directly.
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "ctl/admin_client.h"
#include "medgate/sdk/json.h"
#include "pipeline/patient_identifier.h"
#include "plugin_host/plugin_paths.h"
#include "plugin_host/plugin_registry.h"
#include "runtime/checked_config.h"

namespace {
constexpr const char* kUsage = R"(usage: medgatectl [--config FILE] COMMAND [ARGS]

Commands (ask the running medgated through its admin API):
  status [--json]             is it ready; per source and target: records,
                              retries, dead letters, spool backlog and age
  plugins [--json]            the plugins it loaded and the libraries it refused
  routes [--json]             which sources go to which targets under which policy

Offline commands (read the config and plugin files; medgated need not run):
  token --field FIELD VALUE   print the pseudonymous token medgated emits for the
                              raw VALUE of FIELD (e.g. subject.resident_id), using
                              the identity key of the config; lets an auditor ask
                              "was this patient's data sent to X?"
  plugins --offline           list the plugins medgated would load (default
                              directory and the config's plugin_dirs) with their
                              versions, kinds and SDK versions, and every refused
                              library and why (exit 1 if any)
  plugins --schema NAME       print the JSON Schema of plugin NAME's config sections

Options:
  --config FILE       the configuration (default /etc/medgate/medgate.yaml)
  --token-file FILE   admin API bearer token (default: $MEDGATE_TOKEN_FILE, else
                      the first admin.tokens file of the config this user can read)
  --help              this text

Exit status: 0 success; 1 the command failed (invalid config, medgated not
reachable, request refused); 2 usage error.
)";

int usage_error(const std::string& msg) {
  std::cerr << "medgatectl: " << msg << "\n(see medgatectl --help)\n";
  return 2;
}

int load(const std::string& path, medgate::plugin_host::PluginRegistry& registry,
         std::optional<medgate::runtime::CheckedConfig>& checked) {
  medgate::config::Diagnostics diags;
  checked = medgate::runtime::check_config(path, registry, diags);
  if (!checked) {
    diags.print(std::cerr);
    return 1;
  }
  return 0;
}

int cmd_token(const std::string& config, const std::vector<std::string>& args) {
  std::string field, value;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--field" && i + 1 < args.size()) field = args[++i];
    else if (value.empty() && args[i].rfind("--", 0) != 0) value = args[i];
    else return usage_error("token: unexpected argument '" + args[i] + "'");
  }
  if (field.empty() || value.empty()) return usage_error("token needs --field FIELD and a VALUE");
  medgate::plugin_host::PluginRegistry registry;
  std::optional<medgate::runtime::CheckedConfig> checked;
  if (int rc = load(config, registry, checked)) return rc;
  const auto* hasher = checked->keys->hasher(checked->config.identity.key);
  if (!hasher) {
    std::cerr << "medgatectl: the config has no identity key\n";
    return 1;
  }
  std::cout << hasher->token(field, medgate::pipeline::identifier_text(medgate::sdk::Value(value))) << "\n";
  return 0;
}

// Loads the plugins medgated would load for `config`: the default directory,
// then the config's plugin_dirs (when the config can be read at all).
void load_plugins(const std::string& config, medgate::plugin_host::PluginRegistry& registry) {
  std::vector<std::string> dirs{medgate::plugin_host::default_plugin_dir()};
  medgate::config::Diagnostics diags;
  if (auto doc = medgate::config::parse_config_file(config, diags))
    for (auto& d : medgate::config::plugin_dirs(*doc, diags)) dirs.push_back(std::move(d));
  registry.load_directories(dirs);
}

// GET PATH from the admin API into `doc`; prints the problem and returns 1 on failure.
int api_get(const std::string& config, const std::string& token_file, const std::string& path, medgate::sdk::Value& doc,
            std::string* raw = nullptr) {
  medgate::ctl::AdminEndpoint ep;
  if (auto s = medgate::ctl::find_admin_endpoint(config, token_file, ep); !s.ok()) {
    std::cerr << "medgatectl: " << s.message() << "\n";
    return 1;
  }
  medgate::ctl::AdminResponse res;
  if (auto s = medgate::ctl::admin_request(ep, "GET", path, "", res); !s.ok()) {
    std::cerr << "medgatectl: " << s.message() << "\n";
    return 1;
  }
  medgate::sdk::Value body;
  bool parsed = medgate::sdk::parse_json(res.body, body).ok();
  if (res.status != 200) {
    const medgate::sdk::Value* err = parsed ? body.find("error") : nullptr;
    std::cerr << "medgatectl: " << path << ": HTTP " << res.status << ": "
              << (err && err->is_string() ? err->as_string() : std::string("(no reason given)")) << "\n";
    return 1;
  }
  if (!parsed) {
    std::cerr << "medgatectl: " << path << ": the answer is not JSON\n";
    return 1;
  }
  doc = std::move(body);
  if (raw) *raw = res.body;
  return 0;
}

std::string str(const medgate::sdk::Value& v, const char* key) {
  const medgate::sdk::Value* f = v.find(key);
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
    for (const auto& e : f->as_array()) out += (out.empty() ? "" : ",") + (e.is_string() ? e.as_string() : medgate::sdk::to_json(e));
    return out;
  }
  return medgate::sdk::to_json(*f);
}

const medgate::sdk::Value::Array& items(const medgate::sdk::Value& doc, const char* key) {
  static const medgate::sdk::Value::Array kNone;
  const medgate::sdk::Value* v = doc.find(key);
  return v && v->is_array() ? v->as_array() : kNone;
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

int cmd_status(const std::string& config, const std::string& token_file, const std::vector<std::string>& args) {
  bool json;
  int rc = 0;
  if (!take_json_flag(args, "status", json, rc)) return rc;
  medgate::sdk::Value doc;
  std::string raw;
  if (int r = api_get(config, token_file, "/api/v1/status", doc, &raw)) return r;
  if (json) {
    std::cout << raw;
    return 0;
  }
  std::cout << "medgated " << str(doc, "version") << ": " << (str(doc, "ready") == "yes" ? "ready" : "NOT READY")
            << ", started " << str(doc, "started_at") << ", config " << str(doc, "config") << "\n";
  if (const auto* sp = doc.find("spool"))
    std::cout << "spool: " << str(*sp, "used_bytes") << " of " << str(*sp, "max_bytes") << " bytes used\n";
  std::cout << "\n" << std::left << std::setw(20) << "SOURCE" << std::setw(12) << "PLUGIN" << std::right
            << std::setw(12) << "ACCEPTED" << std::setw(10) << "REJECTED" << std::setw(12) << "QUARANTINED"
            << std::setw(10) << "REFUSED" << std::setw(10) << "FAILURES" << "\n";
  for (const auto& s : items(doc, "sources"))
    std::cout << std::left << std::setw(20) << str(s, "name") << std::setw(12) << str(s, "plugin") << std::right
              << std::setw(12) << str(s, "accepted") << std::setw(10) << str(s, "rejected") << std::setw(12)
              << str(s, "quarantined_inputs") << std::setw(10) << str(s, "batches_refused") << std::setw(10)
              << str(s, "failures") << "\n";
  std::cout << "\n" << std::left << std::setw(20) << "TARGET" << std::setw(12) << "PLUGIN" << std::setw(9) << "RUNNING"
            << std::right << std::setw(12) << "DELIVERED" << std::setw(10) << "DEAD" << std::setw(10) << "RETRIES"
            << std::setw(14) << "SPOOL DISK" << std::setw(12) << "OLDEST (s)" << "\n";
  for (const auto& t : items(doc, "targets"))
    std::cout << std::left << std::setw(20) << str(t, "name") << std::setw(12) << str(t, "plugin") << std::setw(9)
              << str(t, "running") << std::right << std::setw(12) << str(t, "delivered") << std::setw(10)
              << str(t, "dead_lettered") << std::setw(10) << str(t, "retries") << std::setw(14)
              << str(t, "spool_disk_bytes") << std::setw(12) << str(t, "oldest_waiting_seconds") << "\n";
  return 0;
}

int cmd_routes(const std::string& config, const std::string& token_file, const std::vector<std::string>& args) {
  bool json;
  int rc = 0;
  if (!take_json_flag(args, "routes", json, rc)) return rc;
  medgate::sdk::Value doc;
  std::string raw;
  if (int r = api_get(config, token_file, "/api/v1/routes", doc, &raw)) return r;
  if (json) {
    std::cout << raw;
    return 0;
  }
  for (const auto& r : items(doc, "routes"))
    std::cout << str(r, "name") << ": " << str(r, "from") << " -> " << str(r, "to") << " under policy "
              << str(r, "policy") << " v" << str(r, "policy_version") << " (" << str(r, "purpose") << ")\n";
  return 0;
}

int cmd_plugins_api(const std::string& config, const std::string& token_file, bool json) {
  medgate::sdk::Value doc;
  std::string raw;
  if (int r = api_get(config, token_file, "/api/v1/plugins", doc, &raw)) return r;
  if (json) {
    std::cout << raw;
    return 0;
  }
  for (const auto& p : items(doc, "loaded"))
    std::cout << str(p, "name") << " " << str(p, "version") << " [" << str(p, "kinds") << "] sdk " << str(p, "sdk")
              << " " << str(p, "path") << "\n";
  for (const auto& r : items(doc, "refused")) std::cout << "refused: " << str(r, "reason") << "\n";
  return 0;
}

int cmd_plugins(const std::string& config, const std::string& token_file, const std::vector<std::string>& args) {
  std::string schema_of;
  bool offline = false, json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--schema" && i + 1 < args.size()) schema_of = args[++i];
    else if (args[i] == "--offline") offline = true;
    else if (args[i] == "--json") json = true;
    else return usage_error("plugins: unexpected argument '" + args[i] + "'");
  }
  if (!offline && schema_of.empty()) return cmd_plugins_api(config, token_file, json);
  medgate::plugin_host::PluginRegistry registry;
  load_plugins(config, registry);
  if (!schema_of.empty()) {
    auto lib = registry.find(schema_of);
    if (!lib) {
      std::cerr << "medgatectl: no plugin named '" << schema_of << "' is loaded\n";
      return 1;
    }
    // The JSON Schemas of the plugin's config sections, one per kind it provides.
    const auto& d = lib->definition();
    std::cout << "{";
    if (d.source)
      std::cout << "\"source\":" << medgate::sdk::options_json_schema(d.source->options, d.name + " source config");
    if (d.source && d.target) std::cout << ",";
    if (d.target)
      std::cout << "\"target\":" << medgate::sdk::options_json_schema(d.target->options, d.name + " target config");
    std::cout << "}\n";
    return 0;
  }
  for (const auto& [name, lib] : registry.plugins()) {
    const auto& d = lib->definition();
    std::cout << name << " " << d.version << " [" << (d.source ? "source" : "") << (d.source && d.target ? "," : "")
              << (d.target ? "target" : "") << "] sdk " << lib->sdk_major() << "." << lib->sdk_minor() << " "
              << lib->path() << "\n";
  }
  for (const auto& r : registry.refused()) std::cout << "refused: " << r.reason << "\n";
  return registry.refused().empty() ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) {
  std::string config = "/etc/medgate/medgate.yaml";
  std::string token_file;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::size_t i = 0;
  for (; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (args[i] == "--config") {
      if (i + 1 >= args.size()) return usage_error("--config needs a value");
      config = args[++i];
      continue;
    }
    if (args[i] == "--token-file") {
      if (i + 1 >= args.size()) return usage_error("--token-file needs a value");
      token_file = args[++i];
      continue;
    }
    break;
  }
  if (i >= args.size()) return usage_error("no command given");
  std::string cmd = args[i];
  std::vector<std::string> rest(args.begin() + static_cast<long>(i) + 1, args.end());
  for (const auto& a : rest)
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    }
  if (cmd == "token") return cmd_token(config, rest);
  if (cmd == "plugins") return cmd_plugins(config, token_file, rest);
  if (cmd == "status") return cmd_status(config, token_file, rest);
  if (cmd == "routes") return cmd_routes(config, token_file, rest);
  return usage_error("unknown command '" + cmd + "'");
}
