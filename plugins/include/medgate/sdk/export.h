// Exporting a plugin. A plugin library defines one function returning its
// PluginDefinition and names it in MEDGATE_PLUGIN:
//
//   medgate::sdk::PluginDefinition define_plugin() { ... }
//   MEDGATE_PLUGIN(define_plugin)
//
// This exports, with Boost.DLL aliases, two entry points:
//  - medgate_plugin_abi: plain C data (SDK version, build identity). The host
//    calls it first and nothing else unless it matches.
//  - medgate_plugin_definition: the plugin's definition, built once; an
//    exception while building it is returned as text, never thrown across.
#pragma once

#include <exception>
#include <string>

#include <boost/dll/alias.hpp>

#include "medgate/sdk/plugin.h"
#include "medgate/sdk/version.h"

extern "C" {
// Layout frozen for every SDK version: only C types.
struct medgate_plugin_abi_info {
  unsigned sdk_major;
  unsigned sdk_minor;
  const char* build_id;
};
}

namespace medgate::sdk::detail {
using AbiFn = const medgate_plugin_abi_info*();
using DefinitionFn = const PluginDefinition*(std::string* error);

inline const medgate_plugin_abi_info* abi_info() noexcept {
  static const medgate_plugin_abi_info info{MEDGATE_SDK_VERSION_MAJOR, MEDGATE_SDK_VERSION_MINOR,
                                            MEDGATE_SDK_BUILD_ID};
  return &info;
}

template <PluginDefinition (*Define)()>
const PluginDefinition* definition(std::string* error) noexcept {
  try {
    static const PluginDefinition d = Define();
    return &d;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
  } catch (...) {
    if (error) *error = "unknown exception";
  }
  return nullptr;
}
}  // namespace medgate::sdk::detail

#define MEDGATE_PLUGIN(define_fn)                                                     \
  namespace medgate_plugin_entry {                                                    \
  const medgate_plugin_abi_info* abi() noexcept {                                     \
    return ::medgate::sdk::detail::abi_info();                                        \
  }                                                                                   \
  const ::medgate::sdk::PluginDefinition* definition(std::string* error) noexcept {   \
    return ::medgate::sdk::detail::definition<&define_fn>(error);                     \
  }                                                                                   \
  }                                                                                   \
  BOOST_DLL_ALIAS(medgate_plugin_entry::abi, medgate_plugin_abi)                      \
  BOOST_DLL_ALIAS(medgate_plugin_entry::definition, medgate_plugin_definition)
