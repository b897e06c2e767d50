// medgatectl: the command-line tool. status, plugins, routes, reload, dlq and quarantine
// ask the running medgated through its admin API; token and plugins --offline
// work on the config and plugin files directly; audit reads the audit log.
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "ctl/api_call.h"
#include "ctl/audit_command.h"
#include "ctl/dlq_command.h"
#include "ctl/quarantine_command.h"
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
  reload                      re-read the config and apply it; a config with
                              problems is refused (they are printed) and the
                              running one stays (same as SIGHUP)
  dlq list [--json]           dead letters per target: count, size, oldest, newest
  dlq show TARGET [--offset N] [--limit N] [--json]
                              the entries: time, idempotency key, reason
                              (--json: whole entries with their payloads)
  dlq replay TARGET (--all | --key KEY...)
                              put dead letters back into the target's spool
                              for another delivery; shows progress
  dlq drop TARGET (--all | --key KEY...)
                              delete dead letters for good
  quarantine list [SOURCE] [--offset N] [--limit N] [--json]
                              refused inputs per source (count, size, oldest,
                              newest), or one source's entries: number, time,
                              size, reason (never content)
  quarantine show SOURCE N [--out FILE] [--json]
                              input N of SOURCE in clear (admin token only;
                              medgated writes a quarantine_open entry to the
                              audit log before it answers)
  quarantine drop SOURCE (N... | --all) [--json]
                              delete refused inputs for good (operator or
                              admin token; numbers as listed; recorded in the
                              audit log as quarantine_drop)

Offline commands (read the config and plugin files; medgated need not run):
  token --field FIELD [--key ID | --all-keys] [--length N] VALUE
                              print the pseudonymous token medgated emits for the
                              raw VALUE of FIELD (e.g. subject.resident_id), with
                              the identity key (or key ID, retired ones too; or
                              every key, one "ID<TAB>TOKEN" line each) and N hex
                              digits (default 32; a shorter token is a prefix of
                              a longer one); lets an auditor ask "was this
                              patient's data sent to X?"
  plugins --offline           list the plugins medgated would load (default
                              directory and the config's plugin_dirs) with their
                              versions, kinds and SDK versions, and every refused
                              library and why (exit 1 if any)
  plugins --schema NAME       print the JSON Schema of plugin NAME's config sections

Audit log (for compliance officers; offline, see docs/audit.md):
  audit verify PATH [--key PUBKEY.pem]... [--closed] [--anchor SEQ:HASH] [--json]
                              check the audit log (its directory, or one segment
                              file): every entry's hash and link, seq order,
                              segment headers and numbering, and every checkpoint
                              signature with the verifying key (default: the
                              config's audit.verify_key; with no key only the chain
                              is checked, and it says so). Prints "intact: ..." and
                              warnings (e.g. entries not yet signed), or one line
                              "FAILED: FILE:LINE: seq N: KIND: detail" naming the
                              first modified, removed, reordered or truncated entry,
                              bad signature or missing segment.
                              --closed: the log must end with the checkpoint
                              medgated signs when it stops (verify a stopped
                              gateway's log, so that a cut-off end is detected)
                              --anchor SEQ:HASH: an entry seen before (verify prints
                              the last signed one) must still be there
  audit query [--dir DIR] [--since T] [--until T] [--source NAME] [--target NAME]
              [--rule FIELD] [--record-id ID] [--patient-token TOKEN]
              [--all-types] [--json]
                              print the matching record entries: time, record id,
                              source, target, patient token, policy and version,
                              and per field the method, key id and scrub findings;
                              and the handles targets opened (record, field, key)
                              (--json: the entries as stored). DIR defaults to the
                              config's audit.dir; T is YYYY-MM-DD or RFC 3339 (UTC
                              days; --since inclusive, --until exclusive); TOKEN:
                              --patient-token $(medgatectl token --field F VALUE)
  audit report [--dir DIR] [--since T] [--until T] [--format csv|html] [--out FILE]
               [--key PUBKEY.pem]...
                              counts per day, target, policy and rule (field and
                              method): records, and scrub findings per type; and
                              handles opened per day, target and field; html is
                              a standalone page that also shows whether the log
                              verifies

Options:
  --config FILE       the configuration (default /etc/medgate/medgate.yaml)
  --token-file FILE   admin API bearer token (default: $MEDGATE_TOKEN_FILE, else
                      the first admin.tokens file of the config this user can read)
  --help              this text

Exit status: 0 success; 1 the command failed (invalid config, medgated not
reachable, request refused); 2 usage error. audit verify: 0 the log is intact,
1 it is not (the first bad entry is named), 2 usage error (also an unreadable
--key). audit report: 1 also when the log does not verify (the report is still
written).
)";

using medgate::ctl::api_get;
using medgate::ctl::ApiTarget;
using medgate::ctl::items;
using medgate::ctl::str;
using medgate::ctl::take_json_flag;
using medgate::ctl::usage_error;

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
  std::string field, value, key;
  std::int64_t length = 32;
  bool all_keys = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--field" && i + 1 < args.size()) field = args[++i];
    else if (args[i] == "--key" && i + 1 < args.size()) key = args[++i];
    else if (args[i] == "--all-keys") all_keys = true;
    else if (args[i] == "--length" && i + 1 < args.size()) {
      try {
        length = std::stoll(args[++i]);
      } catch (const std::exception&) {
        length = 0;
      }
      if (length < 16 || length > 64) return usage_error("token: --length must be 16 to 64");
    } else if (value.empty() && args[i].rfind("--", 0) != 0) value = args[i];
    else return usage_error("token: unexpected argument '" + args[i] + "'");
  }
  if (field.empty() || value.empty()) return usage_error("token needs --field FIELD and a VALUE");
  if (all_keys && !key.empty()) return usage_error("token: --key and --all-keys exclude each other");
  medgate::plugin_host::PluginRegistry registry;
  std::optional<medgate::runtime::CheckedConfig> checked;
  if (int rc = load(config, registry, checked)) return rc;
  const std::string text = medgate::pipeline::identifier_text(medgate::sdk::Value(value));
  const auto len = static_cast<std::size_t>(length);
  if (all_keys) {
    // Every key, retired ones included: tokens made before a rotation are found too.
    for (const auto& k : checked->config.keys)
      std::cout << k.id << (k.retired ? " (retired)" : "") << "\t"
                << checked->keys->hasher(k.id)->token(field, text, len) << "\n";
    return 0;
  }
  if (key.empty()) key = checked->config.identity.key;
  const auto* hasher = checked->keys->hasher(key);
  if (!hasher) {
    std::cerr << "medgatectl: key '" << key << "' is not declared under keys: in " << config << "\n";
    return 1;
  }
  std::cout << hasher->token(field, text, len) << "\n";
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

int cmd_status(const ApiTarget& at, const std::vector<std::string>& args) {
  bool json;
  int rc = 0;
  if (!take_json_flag(args, "status", json, rc)) return rc;
  medgate::sdk::Value doc;
  if (int r = api_get(at, "/api/v1/status", doc)) return r;
  if (json) {
    std::cout << medgate::sdk::to_json(doc) << "\n";
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

int cmd_routes(const ApiTarget& at, const std::vector<std::string>& args) {
  bool json;
  int rc = 0;
  if (!take_json_flag(args, "routes", json, rc)) return rc;
  medgate::sdk::Value doc;
  if (int r = api_get(at, "/api/v1/routes", doc)) return r;
  if (json) {
    std::cout << medgate::sdk::to_json(doc) << "\n";
    return 0;
  }
  for (const auto& r : items(doc, "routes"))
    std::cout << str(r, "name") << ": " << str(r, "from") << " -> " << str(r, "to") << " under policy "
              << str(r, "policy") << " v" << str(r, "policy_version") << " (" << str(r, "purpose") << ")\n";
  return 0;
}

int cmd_plugins_api(const ApiTarget& at, bool json) {
  medgate::sdk::Value doc;
  if (int r = api_get(at, "/api/v1/plugins", doc)) return r;
  if (json) {
    std::cout << medgate::sdk::to_json(doc) << "\n";
    return 0;
  }
  for (const auto& p : items(doc, "loaded"))
    std::cout << str(p, "name") << " " << str(p, "version") << " [" << str(p, "kinds") << "] sdk " << str(p, "sdk")
              << " " << str(p, "path") << "\n";
  for (const auto& r : items(doc, "refused")) std::cout << "refused: " << str(r, "reason") << "\n";
  return 0;
}

int cmd_plugins(const ApiTarget& at, const std::vector<std::string>& args) {
  std::string schema_of;
  bool offline = false, json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--schema" && i + 1 < args.size()) schema_of = args[++i];
    else if (args[i] == "--offline") offline = true;
    else if (args[i] == "--json") json = true;
    else return usage_error("plugins: unexpected argument '" + args[i] + "'");
  }
  if (!offline && schema_of.empty()) return cmd_plugins_api(at, json);
  medgate::plugin_host::PluginRegistry registry;
  load_plugins(at.config, registry);
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

int cmd_reload(const ApiTarget& at, const std::vector<std::string>& args) {
  if (!args.empty()) return usage_error("reload: unexpected argument '" + args[0] + "'");
  medgate::ctl::ApiCall call;
  call.method = "POST";
  call.path = "/api/v1/reload";
  call.accept = {200, 422};
  call.timeout = std::chrono::seconds(300);  // stopping sources and current batches first
  medgate::sdk::Value doc;
  int status = 0;
  if (int r = medgate::ctl::api_call(at, call, doc, &status)) return r;
  if (status == 200) {
    std::cout << "reloaded: " << str(doc, "message") << "\n";
    return 0;
  }
  std::cerr << "medgatectl: reload refused: " << str(doc, "message") << "\n";
  for (const auto& p : items(doc, "problems")) std::cerr << "  " << (p.is_string() ? p.as_string() : "") << "\n";
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  std::string config = "/etc/medgate/medgate.yaml";
  bool config_given = false;
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
      config_given = true;
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
  if (cmd == "audit") return medgate::ctl::cmd_audit(config, config_given, rest);
  const ApiTarget at{config, token_file};
  if (cmd == "plugins") return cmd_plugins(at, rest);
  if (cmd == "status") return cmd_status(at, rest);
  if (cmd == "routes") return cmd_routes(at, rest);
  if (cmd == "reload") return cmd_reload(at, rest);
  if (cmd == "dlq") return medgate::ctl::cmd_dlq(at, rest);
  if (cmd == "quarantine") return medgate::ctl::cmd_quarantine(at, rest);
  return usage_error("unknown command '" + cmd + "'");
}
