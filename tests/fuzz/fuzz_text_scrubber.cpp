// libFuzzer target: the free-text scrubber (every scrubbed note, message and
// review passes through it). Any bytes must scrub without a crash, with and
// without a subject, and:
//  - scrubbing the result again finds nothing (nothing the scrubber would
//    find, such as a valid resident ID or phone number, is left behind);
//  - the counts add up to the placeholders written;
//  - valid UTF-8 stays valid UTF-8 (no character is cut).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "medgate/sdk/json.h"
#include "pipeline/scrub/text_scrubber.h"
#include "pipeline/scrub/utf8_text.h"

namespace {
using medgate::pipeline::ScrubCounts;
using medgate::pipeline::TextScrubber;

const medgate::sdk::Value& subject() {
  static const medgate::sdk::Value v = [] {
    medgate::sdk::Value s;
    if (!medgate::sdk::parse_json(R"({"name":"王小明","resident_id":"510107200608155201","phone":"12000001111",
        "mrn":"MRN84541427","email":"xm.wang@example.com","wechat_openid":"oDemo_synthetic_openid_0001",
        "address":"四川省成都市某区某路97号1930室"})",
                                  s)
             .ok())
      std::abort();
    return s;
  }();
  return v;
}

long placeholders(std::string_view text) {
  long n = 0;
  for (std::string_view p : {"[ID]", "[PHONE]", "[CARD]", "[EMAIL]", "[NAME]", "[MRN]", "[ADDRESS]"})
    for (std::size_t at = text.find(p); at != std::string_view::npos; at = text.find(p, at + p.size())) ++n;
  return n;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const TextScrubber with_subject(&subject());
  static const TextScrubber without_subject(nullptr);
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const TextScrubber* scrubber : {&with_subject, &without_subject}) {
    ScrubCounts counts;
    std::string once = scrubber->scrub(text, counts);
    long counted = 0;
    for (const auto& [type, n] : counts.found) counted += n;
    if (placeholders(once) - placeholders(text) != counted) std::abort();
    ScrubCounts again;
    if (scrubber->scrub(once, again) != once || !again.found.empty()) std::abort();
    if (medgate::pipeline::scrub::is_valid_utf8(text) && !medgate::pipeline::scrub::is_valid_utf8(once)) std::abort();
  }
  return 0;
}
