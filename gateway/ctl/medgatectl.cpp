// medgatectl: the command-line tool. Offline commands work on the config and
// state files directly; admin-API commands arrive with the admin API.
#include <iostream>
#include <string>
#include <vector>

#include "pipeline/patient_identifier.h"
#include "plugin_host/plugin_paths.h"
#include "plugin_host/plugin_registry.h"
#include "runtime/checked_config.h"

namespace {
constexpr const char* kUsage = R"(usage: medgatectl [--config FILE] COMMAND [ARGS]

Commands:
  token --field FIELD VALUE   print the pseudonymous token medgated emits for the
                              raw VALUE of FIELD (e.g. subject.resident_id), using
                              the identity key of the config; lets an auditor ask
                              "was this patient's data sent to X?"
  plugins [--schema NAME]     list the plugins medgated would load (default
                              directory and the config's plugin_dirs) with their
                              versions, kinds and SDK versions, and every refused
                              library and why (exit 1 if any); with --schema, print
                              the JSON Schema of plugin NAME's config sections

Options:
  --config FILE   the configuration (default /etc/medgate/medgate.yaml)
  --help          this text

Exit status: 0 success; 1 the command failed (e.g. invalid config); 2 usage error.
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

int cmd_plugins(const std::string& config, const std::vector<std::string>& args) {
  std::string schema_of;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--schema" && i + 1 < args.size()) schema_of = args[++i];
    else return usage_error("plugins: unexpected argument '" + args[i] + "'");
  }
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
  if (cmd == "plugins") return cmd_plugins(config, rest);
  return usage_error("unknown command '" + cmd + "'");
}
