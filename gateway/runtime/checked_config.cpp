#include "runtime/checked_config.h"

#include <filesystem>
#include <set>

#include "admin/server_tls.h"
#include "medgate/sdk/secrets.h"
#include "plugin_host/plugin_paths.h"

namespace medgate::runtime {
namespace {

// The audit signing key: an Ed25519 private key in a file of its own; the
// optional verify_key must be its public half.
void check_audit_keys(const std::string& path, const config::GatewayConfig& cfg, CheckedConfig& checked,
                      config::Diagnostics& diags) {
  const auto& audit = cfg.audit;
  if (audit.signing_key.empty()) return;  // the loader reported it
  std::unique_ptr<crypto::Ed25519Key> key;
  if (sdk::Status s = crypto::Ed25519Key::load_private(audit.signing_key, key); !s.ok())
    diags.error(path, audit.signing_key_mark, s.message());
  else
    checked.audit_key = std::move(key);
  for (const auto& k : cfg.keys) {
    std::error_code ec;
    // Same path: the loader said so already; here links to the same file.
    if (k.file != audit.signing_key && std::filesystem::equivalent(k.file, audit.signing_key, ec))
      diags.error(path, audit.signing_key_mark,
                  "'audit.signing_key' " + audit.signing_key + " is the same file as key '" + k.id + "' (" + k.file +
                      "): sign the audit log with its own Ed25519 key");
  }
  if (audit.verify_key.empty()) return;
  std::unique_ptr<crypto::Ed25519Key> pub;
  if (sdk::Status s = crypto::Ed25519Key::load_public(audit.verify_key, pub); !s.ok())
    diags.error(path, audit.verify_key_mark, s.message());
  else if (checked.audit_key && pub->fingerprint() != checked.audit_key->fingerprint())
    diags.error(path, audit.verify_key_mark,
                "'audit.verify_key' " + audit.verify_key + " (key " + pub->fingerprint() +
                    ") is not the public half of 'audit.signing_key' (key " + checked.audit_key->fingerprint() +
                    "); export it with `openssl pkey -in " + audit.signing_key + " -pubout -out " + audit.verify_key +
                    "`");
}

}  // namespace

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
  if (cfg.ingress.enabled)
    for (const auto& token : cfg.ingress.tokens)
      if (sdk::Status s = sdk::check_secret_file(token.file, "ingress token file"); !s.ok())
        diags.error(path, token.file_mark, s.message());
  if (cfg.admin.enabled)
    if (sdk::Status s = admin::check_server_tls(cfg.admin.tls, "admin"); !s.ok())
      diags.error(path, cfg.admin.tls.key_mark, s.message());
  if (cfg.ingress.enabled)
    if (sdk::Status s = admin::check_server_tls(cfg.ingress.tls, "ingress"); !s.ok())
      diags.error(path, cfg.ingress.tls.key_mark, s.message());
  check_audit_keys(path, cfg, checked, diags);
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
