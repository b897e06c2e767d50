#include "plugin_host/plugin_paths.h"

#include <filesystem>

namespace medgate::plugin_host {

std::string executable_path() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

std::string default_plugin_dir() {
  std::filesystem::path exe = executable_path();
  return (exe.parent_path().parent_path() / "lib" / "medgate" / "plugins").lexically_normal().string();
}

}  // namespace medgate::plugin_host
