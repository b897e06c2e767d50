// Counting what a plugin sees, for the host's /metrics (SDK 1.5). A source or
// target counts events of its own (an HL7 source its AE and AR answers, a
// sender the provider's error codes) and the host exports them:
//
//   medgate_source_plugin_events_total{source="his",event="ack_ae"} 3
//   medgate_target_plugin_events_total{target="sms",event="throttled"} 12
//
//   sdk::EventCounter* events = sdk::event_counter(ctx);  // once, at start
//   if (events) events->count("ack_ae", 1);
//
// Event names are fixed words of the plugin, never data: see
// event_name_problem(). Counters start at 0 when the instance starts (and on
// a config reload, like the host's own).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "medgate/sdk/plugin.h"
#include "medgate/sdk/status.h"

namespace medgate::sdk {

class MEDGATE_SDK_API EventCounter {
 public:
  virtual ~EventCounter();
  // Adds `n` to this instance's counter `event`. Invalid (nothing counted)
  // for a name event_name_problem() refuses, or a new name once the instance
  // has kMaxEventNames of them. Thread-safe; cheap enough per message.
  virtual Status count(std::string_view event, std::uint64_t n) = 0;
};

// Distinct event names one instance may count.
inline constexpr std::size_t kMaxEventNames = 64;

// Why `event` cannot name a counter, or "" when it can: 1 to 48 characters of
// a-z, 0-9 and _, starting with a letter, with at most 3 digits in a row (a
// name is a word, never a number from a record).
std::string event_name_problem(std::string_view event);

// The counters behind an EventCounter, with the rules above; the host and the
// test kit's fake contexts keep theirs in one.
class MEDGATE_SDK_API EventCounts final : public EventCounter {
 public:
  Status count(std::string_view event, std::uint64_t n) override;
  // What was counted as `event` (0 when never).
  std::uint64_t get(std::string_view event) const;
  // Every event counted, by name.
  std::vector<std::pair<std::string, std::uint64_t>> snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t, std::less<>> counts_;
};

// The host's counter for this context, or nullptr when the host offers none
// (a host older than SDK 1.5).
EventCounter* event_counter(PluginContext& ctx);

}  // namespace medgate::sdk
