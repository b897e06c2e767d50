// Stands in for a plugin built with another compiler ABI / standard library /
// Boost: same SDK version, different build identity.
#include <medgate/sdk/export.h>

#include <cstdlib>

namespace {
const medgate_plugin_abi_info* abi() noexcept {
  static const medgate_plugin_abi_info info{MEDGATE_SDK_VERSION_MAJOR, MEDGATE_SDK_VERSION_MINOR,
                                            "cxxabi-1002;libstdc++-9-cxx11abi0;boost-106700"};
  return &info;
}
const medgate::sdk::PluginDefinition* definition(std::string*) noexcept { std::abort(); }
}  // namespace

BOOST_DLL_ALIAS(abi, medgate_plugin_abi)
BOOST_DLL_ALIAS(definition, medgate_plugin_definition)
