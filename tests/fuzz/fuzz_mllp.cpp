// libFuzzer target: the MLLP frame decoder (every byte a HIS sends passes
// through it before the HL7 parser). The first input byte sets the size
// limit (1-64, so that oversized frames occur); the rest is the stream.
// The events must not depend on how the stream is cut into reads: fed at
// once, byte by byte, and in chunks whose sizes the input chooses, the
// decoder must give the same events and the same pending bytes. A message
// event holds its payload, within the limit, without a start byte.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mllp_codec.h"

namespace {
using medgate::his_hl7::MllpDecoder;
using medgate::his_hl7::MllpEvent;

void require(bool ok) {
  if (!ok) std::abort();
}

struct Outcome {
  std::vector<MllpEvent> events;
  std::size_t pending = 0;
};

void drain(MllpDecoder& d, Outcome& o) {
  for (MllpEvent e; d.next(e);) o.events.push_back(std::move(e));
}

// `chunk(i)`: the size of the read starting at byte i (at least 1).
template <typename Chunk>
Outcome decode(std::string_view stream, std::size_t limit, Chunk chunk) {
  MllpDecoder d(limit);
  Outcome o;
  for (std::size_t i = 0; i < stream.size();) {
    const std::size_t n = std::min(chunk(i), stream.size() - i);
    d.feed(stream.substr(i, n));
    drain(d, o);  // as the server does after every read
    i += n;
  }
  o.pending = d.pending_bytes();
  return o;
}

bool same(const Outcome& a, const Outcome& b) {
  if (a.pending != b.pending || a.events.size() != b.events.size()) return false;
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    const MllpEvent &x = a.events[i], &y = b.events[i];
    if (x.kind != y.kind || x.payload != y.payload || x.size != y.size) return false;
  }
  return true;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t limit = 1 + data[0] % 64;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);

  const Outcome whole = decode(stream, limit, [&](std::size_t) { return stream.size(); });
  for (const MllpEvent& e : whole.events) {
    if (e.kind != MllpEvent::Kind::message) {
      require(e.payload.empty());
      continue;
    }
    require(e.payload.size() == e.size && e.size <= limit);
    require(e.payload.find(medgate::his_hl7::kStartBlock) == std::string::npos);
  }
  require(same(whole, decode(stream, limit, [](std::size_t) { return std::size_t{1}; })));
  require(same(whole, decode(stream, limit, [&](std::size_t i) {
    return 1 + static_cast<std::size_t>(static_cast<unsigned char>(stream[i]) % 7);
  })));
  return 0;
}
