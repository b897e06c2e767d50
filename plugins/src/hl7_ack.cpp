// Original-mode acknowledgements (HL7 v2 chapter 2: MSH, MSA, ERR).
#include <charconv>

#include "hl7_internal.h"

namespace medgate::sdk::hl7 {
namespace {

// ERR-1 (ELD) was the only ERR field before v2.5; ERR-2.. came with v2.5.
bool before_v25(std::string_view version) {
  unsigned major = 0, minor = 0;
  const char* end = version.data() + version.size();
  auto r = std::from_chars(version.data(), end, major);
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != '.') return false;
  r = std::from_chars(r.ptr + 1, end, minor);
  return r.ec == std::errc() && major == 2 && minor < 5;
}

std::string number(std::size_t n) {
  return n > 0 ? std::to_string(n) : std::string();
}

void add_error(Message& ack, const Result& error, bool old_version, const char* severity = "E") {
  Segment* err = ack.add_segment("ERR");
  const std::string code = error.code.empty() ? "207" : error.code;
  const std::string code_text(error_code_text(code));
  const Location& l = error.location;
  const std::size_t sequence = l.segment_sequence > 0 ? l.segment_sequence : 1;
  if (old_version) {  // ERR-1: segment id ^ sequence ^ field ^ code & text & HL70357
    err->set_text({1, 1, 1, 1}, l.segment_id);
    if (!l.segment_id.empty()) err->set_text({1, 1, 2, 1}, number(sequence));
    err->set_text({1, 1, 3, 1}, number(l.field));
    err->set_text({1, 1, 4, 1}, code);
    err->set_text({1, 1, 4, 2}, code_text);
    err->set_text({1, 1, 4, 3}, "HL70357");
  }
  if (!l.segment_id.empty()) {  // ERR-2 (ERL)
    const std::string parts[] = {l.segment_id,         number(sequence),    number(l.field),
                                 number(l.repetition), number(l.component), number(l.subcomponent)};
    for (std::size_t c = 0; c < std::size(parts); ++c)
      if (!parts[c].empty()) err->set_text({2, 1, c + 1, 1}, parts[c]);
  }
  err->set_text({3, 1, 1, 1}, code);
  err->set_text({3, 1, 2, 1}, code_text);
  err->set_text({3, 1, 3, 1}, "HL70357");
  err->set_text(4, severity);
  if (!error.status.message().empty()) err->set_text(7, error.status.message());
}

}  // namespace

std::string_view error_code_text(std::string_view code) noexcept {
  struct Entry {
    std::string_view code, text;
  };
  static constexpr Entry table[] = {
      {"0", "Message accepted"},
      {"100", "Segment sequence error"},
      {"101", "Required field missing"},
      {"102", "Data type error"},
      {"103", "Table value not found"},
      {"104", "Value too long"},
      {"200", "Unsupported message type"},
      {"201", "Unsupported event code"},
      {"202", "Unsupported processing id"},
      {"203", "Unsupported version id"},
      {"204", "Unknown key identifier"},
      {"205", "Duplicate key identifier"},
      {"206", "Application record locked"},
      {"207", "Application internal error"},
  };
  for (const Entry& e : table)
    if (e.code == code) return e.text;
  return {};
}

std::string_view ack_code_name(AckCode c) noexcept {
  switch (c) {
    case AckCode::accept:
      return "AA";
    case AckCode::error:
      return "AE";
    case AckCode::reject:
      return "AR";
  }
  return "AR";
}

Message build_ack(const Message& original, const AckRequest& request) {
  const Segment* msh = original.header();
  // The original's delimiters, so that its fields can be copied as written.
  Message ack(msh != nullptr ? original.delimiters() : Delimiters{}, original.charset());
  Segment* h = ack.add_segment("MSH");
  auto copy = [&](std::size_t to, std::size_t from) {
    if (msh != nullptr && !msh->raw(from).empty()) (void)h->set_raw(to, msh->raw(from));
  };
  copy(3, 5);  // we answer as the receiver the sender named
  copy(4, 6);
  copy(5, 3);
  copy(6, 4);
  if (h->raw(3).empty() && !request.application.empty()) h->set_text(3, request.application);
  if (h->raw(4).empty() && !request.facility.empty()) h->set_text(4, request.facility);
  h->set_text(7, request.timestamp);
  h->set_text({9, 1, 1, 1}, "ACK");
  if (const std::string trigger = original.trigger_event(); !trigger.empty()) {
    h->set_text({9, 1, 2, 1}, trigger);
    h->set_text({9, 1, 3, 1}, "ACK");
  }
  h->set_text(10, request.control_id);
  copy(11, 11);
  if (h->raw(11).empty()) h->set_text(11, "P");
  copy(12, 12);
  if (h->raw(12).empty()) h->set_text(12, request.default_version);
  // MSH-18 names what encode() writes: the original's value when it says
  // that (an empty one reads as UTF-8), else the name of the charset.
  Charset declared;
  if (charset_from_msh18(original.charset_field(), declared).ok() && declared == ack.charset())
    copy(18, 18);
  else
    h->set_text(18, charset_name(ack.charset()));

  Segment* msa = ack.add_segment("MSA");
  msa->set_text(1, ack_code_name(request.code));
  msa->set_text(2, original.control_id());
  std::string text = request.text;
  if (text.empty() && !request.errors.empty()) text = request.errors.front().status.message();
  if (!text.empty()) msa->set_text(3, text);

  const bool old_version = before_v25(ack.version());
  for (const Result& e : request.errors) add_error(ack, e, old_version);
  return ack;
}

Message build_ack(const Message& original, const AckRequest& request, const std::vector<Result>& warnings) {
  Message ack = build_ack(original, request);
  if (!before_v25(ack.version()))
    for (const Result& w : warnings) add_error(ack, w, false, "W");
  return ack;
}

}  // namespace medgate::sdk::hl7
