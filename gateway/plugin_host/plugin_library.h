// One loaded plugin library. Loading checks the SDK version and build identity
// before anything else in the library is called. The library stays loaded as
// long as any PluginLibrary reference or any object it created is alive: every
// object handed out holds a shared_ptr to its library.
#pragma once

#include <memory>
#include <string>

#include <boost/dll/shared_library.hpp>

#include "medgate/sdk/plugin.h"

namespace medgate::plugin_host {

class PluginLibrary : public std::enable_shared_from_this<PluginLibrary> {
 public:
  struct LoadResult {
    std::shared_ptr<PluginLibrary> library;  // null on failure
    std::string error;                       // why it was refused
  };
  // Loads `path` with local symbol binding. Refuses a library without the
  // medgate entry points, with another SDK major version, a newer SDK minor
  // version, or another build identity (both values named in the error).
  static LoadResult load(const std::string& path);

  const sdk::PluginDefinition& definition() const noexcept { return *definition_; }
  const std::string& name() const noexcept { return definition_->name; }
  const std::string& path() const noexcept { return path_; }
  unsigned sdk_major() const noexcept { return sdk_major_; }
  unsigned sdk_minor() const noexcept { return sdk_minor_; }

  // Creates objects through the plugin's factories, guarded. The returned
  // pointer keeps this library loaded until the object is destroyed.
  sdk::Status create_source(const sdk::PluginConfig& config, std::shared_ptr<sdk::Source>& out);
  sdk::Status create_target(const sdk::PluginConfig& config, std::shared_ptr<sdk::Target>& out);

 private:
  PluginLibrary() = default;
  template <typename T>
  sdk::Status create(const sdk::KindSpec<T>* spec, const char* kind, const sdk::PluginConfig& config,
                     std::shared_ptr<T>& out);

  boost::dll::shared_library library_;
  const sdk::PluginDefinition* definition_ = nullptr;  // owned by the library
  std::string path_;
  unsigned sdk_major_ = 0;
  unsigned sdk_minor_ = 0;
};

}  // namespace medgate::plugin_host
