#include "runtime/handle_locator.h"

#include "medgate/sdk/json.h"
#include "medgate/sdk/value.h"

namespace medgate::runtime {
namespace {

// The dotted path of the first string value equal to `handle` (array
// elements take their array's path: channels.phone_handle for a list).
bool find_path(const sdk::Value& v, std::string_view handle, std::string& path) {
  if (v.is_string()) return v.as_string() == handle;
  if (v.is_array()) {
    for (const auto& e : v.as_array())
      if (find_path(e, handle, path)) return true;
    return false;
  }
  if (!v.is_object()) return false;
  const std::size_t base = path.size();
  for (const auto& [key, member] : v.as_object()) {
    path.resize(base);
    if (base) path += '.';
    path += key;
    if (find_path(member, handle, path)) return true;
  }
  path.resize(base);
  return false;
}

bool locate_in(const sdk::Delivery& d, std::string_view handle, HandlePlace& out) {
  if (d.payload.find(handle) == std::string::npos) return false;  // cheap test before parsing
  sdk::Value record;
  if (!sdk::parse_json(d.payload, record).ok() || !record.is_object()) return false;
  std::string path;
  if (!find_path(record, handle, path)) return false;  // only inside a longer string
  out.field = std::move(path);
  out.record_id = record.string_or("record_id", "");
  out.source = record.string_or("source", "");
  const sdk::Value* patient = record.find("patient");
  out.patient_token = patient && patient->is_object() ? std::string(patient->string_or("token", "")) : std::string();
  return true;
}

}  // namespace

bool locate_handle(const std::vector<sdk::Delivery>& batch, std::string_view handle, std::size_t& hint,
                   HandlePlace& out) {
  if (handle.empty() || batch.empty()) return false;
  const std::size_t start = hint < batch.size() ? hint : 0;
  for (std::size_t n = 0; n < batch.size(); ++n) {
    const std::size_t i = (start + n) % batch.size();
    if (locate_in(batch[i], handle, out)) {
      hint = i;
      return true;
    }
  }
  return false;
}

}  // namespace medgate::runtime
