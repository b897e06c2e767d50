#include "plugin_host/plugin_registry.h"

#include <algorithm>
#include <filesystem>

#include "plugin_host/boundary_guard.h"

namespace medgate::plugin_host {
namespace fs = std::filesystem;

void PluginRegistry::load_directories(const std::vector<std::string>& dirs) {
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      refused_.push_back({dir, "plugin directory " + dir + " does not exist"});
      continue;
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so" && entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) load_file(f.string());
  }
}

bool PluginRegistry::load_file(const std::string& path) {
  auto result = PluginLibrary::load(path);
  if (!result.library) {
    refused_.push_back({path, result.error});
    return false;
  }
  const std::string& name = result.library->name();
  if (auto it = plugins_.find(name); it != plugins_.end()) {
    refused_.push_back({path, "plugin '" + name + "' is already loaded from " + it->second->path()});
    return false;
  }
  plugins_.emplace(name, std::move(result.library));
  return true;
}

std::shared_ptr<PluginLibrary> PluginRegistry::find(const std::string& name) const {
  auto it = plugins_.find(name);
  return it == plugins_.end() ? nullptr : it->second;
}

const sdk::OptionList* PluginRegistry::source_options(const std::string& plugin) const {
  auto lib = find(plugin);
  return lib && lib->definition().source ? &lib->definition().source->options : nullptr;
}

const sdk::OptionList* PluginRegistry::target_options(const std::string& plugin) const {
  auto lib = find(plugin);
  return lib && lib->definition().target ? &lib->definition().target->options : nullptr;
}

std::vector<std::string> PluginRegistry::plugin_names() const {
  std::vector<std::string> names;
  for (const auto& [name, lib] : plugins_) names.push_back(name);
  return names;
}

namespace {
template <typename Spec>
sdk::Status run_validate(const std::string& plugin, const Spec* spec, const sdk::PluginConfig& c) {
  if (spec == nullptr || !spec->validate) return sdk::Status::Ok();
  return guarded(plugin, "validate", [&] { return spec->validate(c); });
}
}  // namespace

sdk::Status PluginRegistry::validate_source(const std::string& plugin, const sdk::PluginConfig& c) const {
  auto lib = find(plugin);
  return lib ? run_validate(plugin, lib->definition().source.get(), c) : sdk::Status::Ok();
}

sdk::Status PluginRegistry::validate_target(const std::string& plugin, const sdk::PluginConfig& c) const {
  auto lib = find(plugin);
  return lib ? run_validate(plugin, lib->definition().target.get(), c) : sdk::Status::Ok();
}

}  // namespace medgate::plugin_host
