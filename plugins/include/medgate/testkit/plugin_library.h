// medgate plugin test kit: loads a built plugin library the way the host does
// (Boost.DLL, the exported aliases) and returns its definition, after checking
// that it was built against this SDK (same build id). Throws
// std::runtime_error with the reason otherwise.
//
// The library is never unloaded: objects a test creates from it may outlive
// the test, and the host's rule is the same (no unload while objects live).
#pragma once

#include <boost/dll/shared_library.hpp>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>

#include "medgate/sdk/export.h"

namespace medgate::testkit {

inline const sdk::PluginDefinition& load_plugin_definition(const std::string& path) {
  static std::mutex mutex;
  static auto* loaded = new std::map<std::string, boost::dll::shared_library>();
  std::lock_guard lock(mutex);
  auto it = loaded->find(path);
  if (it == loaded->end())
    it = loaded->emplace(path, boost::dll::shared_library(path, boost::dll::load_mode::rtld_local)).first;
  boost::dll::shared_library& library = it->second;
  auto abi = library.get_alias<sdk::detail::AbiFn>("medgate_plugin_abi");
  if (std::strcmp(abi()->build_id, MEDGATE_SDK_BUILD_ID) != 0)
    throw std::runtime_error(path + " was built for SDK " + abi()->build_id + ", not " + MEDGATE_SDK_BUILD_ID);
  auto define = library.get_alias<sdk::detail::DefinitionFn>("medgate_plugin_definition");
  std::string error;
  const sdk::PluginDefinition* d = define(&error);
  if (!d) throw std::runtime_error(path + ": no definition: " + error);
  return *d;
}

}  // namespace medgate::testkit
