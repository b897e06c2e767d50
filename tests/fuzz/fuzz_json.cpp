// libFuzzer target: the SDK's JSON parser (every record from every source
// passes through it). Any input must either parse or give an error; parsed
// values must survive a serialize/parse round trip unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "medgate/sdk/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  medgate::sdk::Value v;
  medgate::sdk::Status s = medgate::sdk::parse_json(text, v);
  if (!s.ok()) {
    if (s.message().empty()) std::abort();  // every refusal says why
    return 0;
  }
  std::string once = medgate::sdk::to_json(v);
  medgate::sdk::Value again;
  if (!medgate::sdk::parse_json(once, again).ok()) std::abort();
  if (medgate::sdk::to_json(again) != once) std::abort();
  return 0;
}
