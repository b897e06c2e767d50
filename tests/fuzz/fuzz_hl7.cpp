// libFuzzer target: the SDK's HL7 v2 parser (every HL7 message a source
// receives passes through it). Any input must parse or give an error with a
// table 0357 code; either way the ACK built for it must encode and parse.
// A parsed message must survive encode/parse unchanged, and so must one
// rebuilt from its texts with set_text().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "medgate/sdk/hl7.h"

namespace {
using namespace medgate::sdk::hl7;

void require(bool ok) {
  if (!ok) std::abort();
}

// The one way a message may read back differently: UTF-8 bytes that, read
// stepping over GB 18030 characters, name GB 18030 at MSH-18 and are valid
// GB 18030 too are read as GB 18030 (docs/plugins/hl7.md, "Limits").
bool reads_back_as_gb18030(const Message& m, const Message& back) {
  return m.charset() == Charset::utf8 && back.charset() == Charset::gb18030;
}

void check_ack(const Message& original, const AckRequest& request) {
  const Message ack = build_ack(original, request);
  std::string wire;
  require(ack.encode(wire).ok());
  Message back;
  require(parse(wire, back).ok());
  require(back.control_id() == request.control_id);
  require(back.find("MSA") != nullptr && back.find("MSA")->text(2) == original.control_id());
}

// Every element's text must be valid UTF-8, survive escape/unescape, and
// give the same texts when written into a new message with set_text(); that
// message must survive encode/parse too.
void check_texts(const Message& m) {
  const Delimiters& d = m.delimiters();
  Message copy(d, m.charset());
  std::string scratch;
  for (const Segment& s : m.segments()) {
    Segment* to = copy.add_segment(s.id());
    require(to != nullptr);
    for (std::size_t f = 1; f <= s.field_count(); ++f) {
      for (std::size_t r = 1; r <= s.repetition_count(f); ++r) {
        for (std::size_t c = 1; c <= s.component_count(f, r); ++c) {
          for (std::size_t sub = 1; sub <= s.subcomponent_count(f, r, c); ++sub) {
            const Position p{f, r, c, sub};
            const std::string text = s.text(p);
            require(to_utf8(text, Charset::utf8, scratch).ok());
            require(unescape(escape(text, d), d, m.charset()) == text);
            to->set_text(p, text);
            require(to->text(p) == text);
          }
        }
      }
    }
  }
  std::string wire;
  require(copy.encode(wire).ok());
  Message back;
  require(parse(wire, back).ok());
  require(back == copy || reads_back_as_gb18030(copy, back));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  AckRequest request;
  request.control_id = "FUZZ1";
  request.timestamp = "20240101000000";
  Message m;
  const Result r = parse(bytes, m);
  if (!r.ok()) {
    require(!r.status.message().empty() && !error_code_text(r.code).empty());  // every refusal says why
    request.code = AckCode::reject;
    request.errors.push_back(r);
    check_ack(m, request);
    return 0;
  }
  std::string wire;
  require(m.encode(wire).ok());
  Message again;
  require(parse(wire, again).ok());
  require(again == m || reads_back_as_gb18030(m, again));
  check_texts(m);
  check_ack(m, request);
  return 0;
}
