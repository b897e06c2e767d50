#include "medgate/sdk/event_counter.h"

namespace medgate::sdk {

EventCounter::~EventCounter() = default;

std::string event_name_problem(std::string_view event) {
  if (event.empty() || event.size() > 48) return "an event name has 1 to 48 characters";
  if (event[0] < 'a' || event[0] > 'z') return "an event name starts with a letter a-z";
  std::size_t digits = 0;
  for (char c : event) {
    const bool digit = c >= '0' && c <= '9';
    if (!digit && c != '_' && (c < 'a' || c > 'z')) return "an event name has only a-z, 0-9 and _";
    digits = digit ? digits + 1 : 0;
    if (digits > 3) return "an event name has at most 3 digits in a row (a word, never a number from a record)";
  }
  return "";
}

Status EventCounts::count(std::string_view event, std::uint64_t n) {
  std::lock_guard lock(mu_);
  auto it = counts_.find(event);
  if (it == counts_.end()) {  // a name is checked once, when it is new (only good names get in)
    if (std::string why = event_name_problem(event); !why.empty())
      return Status::Invalid("event '" + std::string(event) + "': " + why);
    if (counts_.size() >= kMaxEventNames)
      return Status::Invalid("event '" + std::string(event) + "': an instance counts at most " +
                             std::to_string(kMaxEventNames) + " event names");
    it = counts_.emplace(std::string(event), 0).first;
  }
  it->second += n;
  return Status::Ok();
}

std::uint64_t EventCounts::get(std::string_view event) const {
  std::lock_guard lock(mu_);
  auto it = counts_.find(event);
  return it == counts_.end() ? 0 : it->second;
}

std::vector<std::pair<std::string, std::uint64_t>> EventCounts::snapshot() const {
  std::lock_guard lock(mu_);
  return {counts_.begin(), counts_.end()};
}

// Like handle_opener(): the host's context implements EventCounter beside
// its context interface, and EventCounter's type_info lives in this library.
EventCounter* event_counter(PluginContext& ctx) { return dynamic_cast<EventCounter*>(&ctx); }

}  // namespace medgate::sdk
