#include "runtime/checked_config.h"

#include <set>

#include "medgate/sdk/secrets.h"
#include "plugin_host/plugin_paths.h"

namespace medgate::runtime {

std::optional<CheckedConfig> check_config(const std::string& path, plugin_host::PluginRegistry& registry,
                                          config::Diagnostics& diags) {
  auto doc = config::parse_config_file(path, diags);
  if (!doc) return std::nullopt;
  std::vector<std::string> dirs{plugin_host::default_plugin_dir()};
  for (auto& d : config::plugin_dirs(*doc, diags)) dirs.push_back(std::move(d));
  registry.load_directories(dirs);

  CheckedConfig checked;
  checked.config_path = path;
  checked.config = config::build_config(*doc, registry, diags);
  const auto& cfg = checked.config;
  // Secrets are checked even when the rest has problems, so one run lists everything.
  for (const auto& key : cfg.keys) {
    std::string bytes;
    if (sdk::Status s = crypto::read_key_file(key.file, bytes); !s.ok()) diags.error(path, key.file_mark, s.message());
  }
  if (cfg.admin.enabled)
    for (const auto& token : cfg.admin.tokens)
      if (sdk::Status s = sdk::check_secret_file(token.file, "admin token file"); !s.ok())
        diags.error(path, token.file_mark, s.message());
  if (diags.has_errors()) return std::nullopt;

  checked.keys = std::make_unique<crypto::KeyStore>();
  if (sdk::Status s = checked.keys->load(cfg.keys); !s.ok()) {
    diags.error(path, {}, s.message());
    return std::nullopt;
  }

  pipeline::MethodEnv env{*checked.keys, cfg.identity.key};
  for (const auto& [name, policy] : cfg.policies) {
    std::vector<pipeline::PolicyProblem> problems;
    auto compiled = pipeline::CompiledPolicy::compile(policy, env, problems);
    for (const auto& p : problems) diags.error(path, p.mark, p.message);
    if (compiled) checked.policies.emplace(name, std::move(compiled));
  }

  // Handles are opened only where records are meant to reach the person.
  for (const auto& r : cfg.routes) {
    auto policy = cfg.policies.find(r.policy);
    if (policy == cfg.policies.end() || policy->second.purpose != "analytics") continue;
    for (const auto& to : r.to) {
      auto target = cfg.targets.find(to);
      if (target != cfg.targets.end() && target->second.open_handles)
        diags.error(path, target->second.mark, "target '" + to + "' has open_handles: true but route '" + r.name +
                                                   "' feeds it through analytics policy '" + r.policy +
                                                   "'; analytics targets never open encrypted handles");
    }
  }

  // Every source must reach a target: accepted records have somewhere to go.
  std::set<std::string> routed;
  for (const auto& r : cfg.routes) routed.insert(r.from.begin(), r.from.end());
  for (const auto& [name, source] : cfg.sources)
    if (!routed.count(name))
      diags.error(path, source.mark, "source '" + name + "' is not named in any route; its records would go nowhere");
  if (diags.has_errors()) return std::nullopt;
  return checked;
}

}  // namespace medgate::runtime
