#include "plugin_host/plugin_library.h"


#include "medgate/sdk/export.h"
#include "medgate/sdk/version.h"
#include "plugin_host/boundary_guard.h"

namespace medgate::plugin_host {
namespace {
constexpr const char* kAbiSymbol = "medgate_plugin_abi";
constexpr const char* kDefinitionSymbol = "medgate_plugin_definition";

std::string version_string(unsigned major, unsigned minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}
}  // namespace

PluginLibrary::LoadResult PluginLibrary::load(const std::string& path) {
  std::shared_ptr<PluginLibrary> lib(new PluginLibrary());
  lib->path_ = path;
  boost::system::error_code ec;
  lib->library_.load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) return {nullptr, "cannot load " + path + ": " + ec.message()};
  if (!lib->library_.has(kAbiSymbol) || !lib->library_.has(kDefinitionSymbol))
    return {nullptr, path + " is not a medgate plugin (no " + kAbiSymbol + "/" + kDefinitionSymbol +
                         " entry points; was it built with MEDGATE_PLUGIN?)"};

  // The ABI entry point returns plain C data, safe to read whatever SDK the
  // plugin was built with. Nothing else is called until it matches.
  auto& abi = lib->library_.get_alias<sdk::detail::AbiFn>(kAbiSymbol);
  const medgate_plugin_abi_info* info = abi();
  if (info == nullptr) return {nullptr, path + ": the plugin reported no ABI information"};
  lib->sdk_major_ = info->sdk_major;
  lib->sdk_minor_ = info->sdk_minor;
  const std::string host_version = version_string(MEDGATE_SDK_VERSION_MAJOR, MEDGATE_SDK_VERSION_MINOR);
  const std::string plugin_version = version_string(info->sdk_major, info->sdk_minor);
  if (info->sdk_major != MEDGATE_SDK_VERSION_MAJOR)
    return {nullptr, path + " was built for medgate SDK " + plugin_version + " but this medgated provides SDK " +
                         host_version + " (major versions must match); rebuild the plugin against SDK " +
                         host_version};
  if (info->sdk_minor > MEDGATE_SDK_VERSION_MINOR)
    return {nullptr, path + " needs medgate SDK " + plugin_version + " but this medgated provides only SDK " +
                         host_version + "; upgrade medgated"};
  const std::string build_id = info->build_id ? info->build_id : "";
  if (build_id != MEDGATE_SDK_BUILD_ID)
    return {nullptr, path + " was built with " + build_id + " but this medgated was built with " +
                         MEDGATE_SDK_BUILD_ID + "; rebuild the plugin with the same toolchain"};

  auto& define = lib->library_.get_alias<sdk::detail::DefinitionFn>(kDefinitionSymbol);
  std::string error;
  lib->definition_ = define(&error);
  if (lib->definition_ == nullptr)
    return {nullptr, path + ": the plugin failed to describe itself: " + (error.empty() ? "no reason" : error)};
  if (lib->definition_->name.empty()) return {nullptr, path + ": the plugin has no name"};
  if (!lib->definition_->source && !lib->definition_->target)
    return {nullptr, path + ": plugin '" + lib->definition_->name + "' provides neither a source nor a target"};
  return {lib, {}};
}

template <typename T>
sdk::Status PluginLibrary::create(const sdk::KindSpec<T>* spec, const char* kind, const sdk::PluginConfig& config,
                                  std::shared_ptr<T>& out) {
  if (spec == nullptr || !spec->create)
    return sdk::Status::Invalid("plugin '" + name() + "' provides no " + kind);
  std::unique_ptr<T> object;
  if (spec->validate) {
    sdk::Status s = guarded(name(), "validate", [&] { return spec->validate(config); });
    if (!s.ok()) return s;
  }
  sdk::Status s = guarded(name(), "create", [&] { object = spec->create(config); });
  if (!s.ok()) return s;
  if (!object) return sdk::Status::Internal("plugin '" + name() + "' returned no " + kind);
  // The deleter holds the library: it is unloaded only after the object is gone.
  auto self = shared_from_this();
  out = std::shared_ptr<T>(object.release(), [self](T* p) { delete p; });
  return sdk::Status::Ok();
}

sdk::Status PluginLibrary::create_source(const sdk::PluginConfig& config, std::shared_ptr<sdk::Source>& out) {
  return create(definition_->source.get(), "source", config, out);
}

sdk::Status PluginLibrary::create_target(const sdk::PluginConfig& config, std::shared_ptr<sdk::Target>& out) {
  return create(definition_->target.get(), "target", config, out);
}

}  // namespace medgate::plugin_host
