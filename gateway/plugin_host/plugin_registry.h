// The registry of loaded plugins, by name and kind (osquery's registry): the
// core knows kinds (source, target), not plugins.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/gateway_config.h"
#include "plugin_host/plugin_library.h"

namespace medgate::plugin_host {

struct RefusedPlugin {
  std::string path;
  std::string reason;
};

class PluginRegistry : public config::PluginCatalog {
 public:
  // Loads every *.so in each directory (in name order); a missing directory
  // is recorded as a problem. Loading happens on the calling thread.
  void load_directories(const std::vector<std::string>& dirs);
  // Loads one library; false (and recorded in refused()) when refused.
  bool load_file(const std::string& path);

  std::shared_ptr<PluginLibrary> find(const std::string& name) const;
  const std::map<std::string, std::shared_ptr<PluginLibrary>>& plugins() const noexcept { return plugins_; }
  const std::vector<RefusedPlugin>& refused() const noexcept { return refused_; }

  // config::PluginCatalog
  const sdk::OptionList* source_options(const std::string& plugin) const override;
  const sdk::OptionList* target_options(const std::string& plugin) const override;
  std::vector<std::string> plugin_names() const override;
  sdk::Status validate_source(const std::string& plugin, const sdk::PluginConfig& c) const override;
  sdk::Status validate_target(const std::string& plugin, const sdk::PluginConfig& c) const override;

 private:
  std::map<std::string, std::shared_ptr<PluginLibrary>> plugins_;
  std::vector<RefusedPlugin> refused_;
};

}  // namespace medgate::plugin_host
