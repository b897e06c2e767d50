// Where medgated looks for plugins by default: PREFIX/lib/medgate/plugins,
// where PREFIX is the directory above the running executable's bin/.
#pragma once

#include <string>

namespace medgate::plugin_host {

// The running executable's absolute path (from /proc/self/exe).
std::string executable_path();
// EXE_DIR/../lib/medgate/plugins, normalized.
std::string default_plugin_dir();

}  // namespace medgate::plugin_host
