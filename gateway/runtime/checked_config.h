// Everything medgated needs before it starts, validated: the typed config,
// loaded plugins, keys (data keys and the audit signing key), and compiled
// policies. `medgated --check` runs exactly
// this and prints the problems; startup runs it and refuses on any problem.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/gateway_config.h"
#include "crypto/ed25519.h"
#include "crypto/key_store.h"
#include "pipeline/desensitizer.h"
#include "plugin_host/plugin_registry.h"

namespace medgate::runtime {

struct CheckedConfig {
  std::string config_path;  // as given on the command line
  config::GatewayConfig config;
  std::unique_ptr<crypto::KeyStore> keys;
  std::shared_ptr<const crypto::Ed25519Key> audit_key;  // signs audit checkpoints
  std::map<std::string, std::unique_ptr<pipeline::CompiledPolicy>> policies;
};

// Parses `path`, loads plugins (default directory first, then plugin_dirs)
// into `registry`, and checks everything. Returns nullopt when `diags` has errors.
std::optional<CheckedConfig> check_config(const std::string& path, plugin_host::PluginRegistry& registry,
                                          config::Diagnostics& diags);

}  // namespace medgate::runtime
