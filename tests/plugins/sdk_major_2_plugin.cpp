// Stands in for a plugin built against a future SDK 2.x: its ABI entry point
// reports major version 2. The host must refuse it before calling anything else.
#include <medgate/sdk/export.h>

#include <cstdlib>

namespace {
const medgate_plugin_abi_info* abi() noexcept {
  static const medgate_plugin_abi_info info{2, 0, MEDGATE_SDK_BUILD_ID};
  return &info;
}
const medgate::sdk::PluginDefinition* definition(std::string*) noexcept {
  std::abort();  // must never be called: the version check comes first
}
}  // namespace

BOOST_DLL_ALIAS(abi, medgate_plugin_abi)
BOOST_DLL_ALIAS(definition, medgate_plugin_definition)
