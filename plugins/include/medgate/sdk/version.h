// SDK version and build identity. The host reads these from a plugin before
// calling anything else (see plugin_abi.h), and refuses a plugin whose major
// version or build identity differs from its own.
#pragma once

#include <boost/version.hpp>
#include <version>

#define MEDGATE_SDK_VERSION_MAJOR 1
#define MEDGATE_SDK_VERSION_MINOR 6

#define MEDGATE_SDK_STR2(x) #x
#define MEDGATE_SDK_STR(x) MEDGATE_SDK_STR2(x)

#if defined(_GLIBCXX_RELEASE)
#define MEDGATE_SDK_STDLIB "libstdc++-" MEDGATE_SDK_STR(_GLIBCXX_RELEASE) \
  "-cxx11abi" MEDGATE_SDK_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#error "medgate SDK: plugins must be built against libstdc++"
#endif

// C++ objects (std::string, std::vector, vtables) cross the plugin boundary, so
// host and plugin must agree on the C++ ABI, standard library and Boost.
#define MEDGATE_SDK_BUILD_ID                                        \
  "cxxabi-" MEDGATE_SDK_STR(__GXX_ABI_VERSION) ";" MEDGATE_SDK_STDLIB \
  ";boost-" MEDGATE_SDK_STR(BOOST_VERSION)

namespace medgate::sdk {
inline constexpr unsigned kVersionMajor = MEDGATE_SDK_VERSION_MAJOR;
inline constexpr unsigned kVersionMinor = MEDGATE_SDK_VERSION_MINOR;
}  // namespace medgate::sdk
