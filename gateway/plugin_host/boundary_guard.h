// Every call into plugin code goes through guarded(): an exception thrown by a
// plugin becomes a Status naming the plugin and the call, and the exception
// object is destroyed here, while the plugin's library is still loaded.
#pragma once

#include <exception>
#include <string>
#include <type_traits>
#include <utility>

#include "medgate/sdk/status.h"

namespace medgate::plugin_host {

template <typename Fn>
sdk::Status guarded(const std::string& plugin, const char* call, Fn&& fn) noexcept {
  try {
    if constexpr (std::is_same_v<std::invoke_result_t<Fn>, sdk::Status>) {
      return std::forward<Fn>(fn)();
    } else {
      std::forward<Fn>(fn)();
      return sdk::Status::Ok();
    }
  } catch (const std::exception& e) {
    return sdk::Status::Internal("plugin '" + plugin + "' threw from " + call + ": " + e.what());
  } catch (...) {
    return sdk::Status::Internal("plugin '" + plugin + "' threw a non-standard exception from " + call);
  }
}

}  // namespace medgate::plugin_host
