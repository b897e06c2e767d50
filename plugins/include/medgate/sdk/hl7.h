// HL7 v2 messages (SDK 1.3): parse, read, build, escape, convert character
// sets and acknowledge. For sources that receive HL7 (the MLLP source) and for
// plugins of hospital IT staff. Nothing here throws for bad input: parsing
// returns a Result naming the problem and where it is. See docs/plugins/hl7.md.
//
// Numbering follows HL7 and starts at 1: MSH-1 is the field separator itself,
// MSH-2 the encoding characters, MSH-3 the sending application; in any other
// segment field 1 is the first field after the segment id.
//
// Text comes out as UTF-8 whatever MSH-18 declares: parse() converts the bytes
// first. A Message keeps each field as it stands in the message (escaped,
// "raw"); the text accessors unescape, the text setters escape.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "medgate/sdk/status.h"

namespace medgate::sdk::hl7 {

// The delimiters of one message, from MSH-1 and MSH-2. When building, use
// distinct printable ASCII characters that are not letters or digits, as
// parse() requires.
struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = '\0';  // HL7 v2.7 fifth character of MSH-2; '\0' when absent

  // MSH-2 as written: "^~\&" (or "^~\&#").
  std::string encoding_characters() const;
  friend bool operator==(const Delimiters&, const Delimiters&) = default;
};

// Character sets of MSH-18 (HL7 table 0211) this module reads and writes.
enum class Charset {
  ascii,    // "ASCII": bytes above 0x7F are refused
  utf8,     // "UNICODE UTF-8" (also "UNICODE", "UTF-8")
  gb18030,  // "GB 18030-2000" (also "GB 18030", "GB18030", and GB2312/GBK, which it contains)
};

// The name written to MSH-18: "ASCII", "UNICODE UTF-8", "GB 18030-2000".
std::string_view charset_name(Charset c) noexcept;
// Reads an MSH-18 value (case and spaces around it do not matter). An empty
// value gives `if_empty`. Unknown values give invalid_argument naming them.
Status charset_from_msh18(std::string_view value, Charset& out, Charset if_empty = Charset::utf8);
// Bytes in `from` -> UTF-8, and back. Bytes that are invalid in the character
// set (or text it cannot hold) are an error naming the byte offset; nothing is
// replaced or dropped.
Status to_utf8(std::string_view bytes, Charset from, std::string& out);
Status from_utf8(std::string_view text, Charset to, std::string& out);

// Field text <-> its escaped form in a message with delimiters `d`.
// escape(): the delimiters and the escape character become \F\ \S\ \R\ \T\ and
// \E\ (and the v2.7 truncation character \P\), a newline becomes \.br\ (or
// \X0A\ when '.' is a delimiter), other control characters \Xhh\, and a text
// of exactly "" becomes \X2222\ so that it is not read as the HL7 null.
// unescape(): the reverse; \.br\ becomes "\n", \H\ and \N\ (highlighting) are
// dropped, \Xhh..\ becomes those bytes read in `charset` (kept as written when
// they are not valid there), and unknown or unterminated sequences are kept as
// written. unescape(escape(t), d) == t for every t.
std::string escape(std::string_view text, const Delimiters& d = {});
std::string unescape(std::string_view raw, const Delimiters& d = {}, Charset charset = Charset::utf8);

// A place in a segment, in HL7 numbering (PID-3(2).1 is {3, 2, 1}).
struct Position {
  std::size_t field = 1;
  std::size_t repetition = 1;
  std::size_t component = 1;
  std::size_t subcomponent = 1;
};

// How a field stands in a segment. HL7 tells an empty field ("leave as is")
// apart from the null "" ("delete the value").
enum class Presence { absent, empty, null, valued };

class Segment {
 public:
  const std::string& id() const noexcept { return id_; }
  // The number of the last field present (for MSH at least 2).
  std::size_t field_count() const noexcept { return fields_.size(); }
  Presence presence(std::size_t field) const noexcept;
  bool is_null(std::size_t field) const noexcept { return presence(field) == Presence::null; }
  // True when the element at `p` is exactly "" (a null component, say).
  bool is_null(const Position& p) const;

  // Unescaped UTF-8 text of one element of the first repetition: text(5)
  // is field 5 component 1, text(9, 2) is MSH-9.2. "" when absent or null.
  std::string text(std::size_t field, std::size_t component = 1, std::size_t subcomponent = 1) const;
  std::string text(const Position& p) const;
  // Component `component` of every repetition of a field (PID-3 identifiers).
  std::vector<std::string> repetition_texts(std::size_t field, std::size_t component = 1) const;

  // The escaped text as it stands in the message: a whole field with its
  // delimiters, or one element.
  std::string_view raw(std::size_t field) const noexcept;
  std::string_view raw(const Position& p) const;

  std::size_t repetition_count(std::size_t field) const;  // 0 when absent
  std::size_t component_count(std::size_t field, std::size_t repetition = 1) const;
  std::size_t subcomponent_count(std::size_t field, std::size_t repetition = 1, std::size_t component = 1) const;

  // Building. Missing fields, repetitions and components are added empty.
  // MSH-1 and MSH-2 follow the message's delimiters and are not set here.
  void set_text(std::size_t field, std::string_view text) { set_text(Position{field}, text); }
  void set_text(const Position& p, std::string_view text);  // escapes `text`
  void set_null(std::size_t field);                         // writes ""
  // A whole field already escaped for this message's delimiters (with ^ ~ &
  // inside); refuses the field separator and line breaks.
  Status set_raw(std::size_t field, std::string_view raw);

  friend bool operator==(const Segment&, const Segment&) = default;

 private:
  friend class Message;
  friend struct ParserAccess;
  Segment(std::string id, const Delimiters& d, Charset c) : id_(std::move(id)), delimiters_(d), charset_(c) {}
  std::string& field_slot(std::size_t field);

  std::string id_;
  std::vector<std::string> fields_;  // fields_[0] is field 1 (MSH-1 for MSH); raw
  Delimiters delimiters_;
  Charset charset_ = Charset::utf8;
};

class Message {
 public:
  // An empty message to build; `charset` is what encode() writes and should
  // match the MSH-18 you set.
  explicit Message(const Delimiters& d = {}, Charset charset = Charset::utf8) : delimiters_(d), charset_(charset) {}

  const Delimiters& delimiters() const noexcept { return delimiters_; }
  // The character set the message arrived in (MSH-18, or the default for an
  // empty MSH-18) and the one encode() writes.
  Charset charset() const noexcept { return charset_; }

  const std::deque<Segment>& segments() const noexcept { return segments_; }
  std::size_t segment_count() const noexcept { return segments_.size(); }
  Segment* segment(std::size_t index) noexcept {  // 0-based; nullptr past the end
    return index < segments_.size() ? &segments_[index] : nullptr;
  }
  // The `occurrence`-th segment with this id (1 = first), or nullptr.
  const Segment* find(std::string_view id, std::size_t occurrence = 1) const noexcept;
  Segment* find(std::string_view id, std::size_t occurrence = 1) noexcept;
  std::vector<const Segment*> find_all(std::string_view id) const;
  const Segment* header() const noexcept { return find("MSH"); }

  // MSH fields, unescaped; "" when absent.
  std::string message_code() const { return msh_text(9, 1); }           // MSH-9.1, e.g. ADT
  std::string trigger_event() const { return msh_text(9, 2); }          // MSH-9.2, e.g. A01
  std::string message_structure() const { return msh_text(9, 3); }      // MSH-9.3, e.g. ADT_A01
  std::string control_id() const { return msh_text(10, 1); }            // MSH-10
  std::string processing_id() const { return msh_text(11, 1); }         // MSH-11.1: P, D or T
  std::string version() const { return msh_text(12, 1); }               // MSH-12.1, e.g. 2.5
  std::string sending_application() const { return msh_text(3, 1); }    // MSH-3.1
  std::string sending_facility() const { return msh_text(4, 1); }       // MSH-4.1
  std::string receiving_application() const { return msh_text(5, 1); }  // MSH-5.1
  std::string receiving_facility() const { return msh_text(6, 1); }     // MSH-6.1
  std::string charset_field() const { return msh_text(18, 1); }         // MSH-18 as declared

  // Appends a segment; MSH gets MSH-1 and MSH-2 from the delimiters. Returns
  // nullptr (and adds nothing) for an id that is not three characters
  // [A-Z][A-Z0-9][A-Z0-9], for a first segment other than MSH and for a
  // second MSH. The pointer stays valid as long as the message.
  Segment* add_segment(std::string_view id);

  // UTF-8 text, each segment ended by `segment_separator` (HL7: CR).
  std::string serialize(std::string_view segment_separator = "\r") const;
  // The bytes to send: serialize() converted to charset(). Fails for text the
  // character set cannot hold (non-ASCII text in an ASCII message).
  Status encode(std::string& out) const;

  friend bool operator==(const Message&, const Message&) = default;

 private:
  friend struct ParserAccess;
  std::string msh_text(std::size_t field, std::size_t component) const;

  Delimiters delimiters_;
  Charset charset_ = Charset::utf8;
  std::deque<Segment> segments_;  // a deque: add_segment() moves no segment
};

// Where a problem is, in HL7 numbering; 0 (or "") where it does not apply.
// Maps onto ERR-2 (ERL): segment id ^ sequence ^ field ^ repetition ^ component ^ subcomponent.
struct Location {
  std::size_t segment_index = 0;  // position in the message, MSH = 1
  std::string segment_id;
  std::size_t segment_sequence = 0;  // 2 for the second OBX
  std::size_t field = 0;
  std::size_t repetition = 0;
  std::size_t component = 0;
  std::size_t subcomponent = 0;
  // "segment 3 (PID) field 3 repetition 2 component 4"; "message" when empty.
  std::string to_string() const;
  friend bool operator==(const Location&, const Location&) = default;
};

// The outcome of parse() and check_header(), and the error an ACK reports.
struct Result {
  Status status;      // the message starts with the location: "segment 3 (PID) field 5: ..."
  Location location;  // where (segment_index 0: the message as a whole)
  std::string code;   // HL7 table 0357 code for ERR-3 ("" when ok)

  bool ok() const noexcept { return status.ok(); }
  // A failure at `where`; the status message is prefixed with the location.
  static Result failure(std::string code, Location where, std::string message,
                        StatusCode status_code = StatusCode::invalid_argument);
};

struct ParseOptions {
  std::size_t max_bytes = 16u << 20;  // larger input is refused (resource_exhausted)
  std::size_t max_fields = 200'000;   // fields in all segments together
  // Used when MSH-18 is empty. HL7 says ASCII; senders that leave MSH-18 empty
  // and send UTF-8 are common, and UTF-8 still refuses bytes that are not.
  Charset default_charset = Charset::utf8;
};

// Parses one message: MSH first, segments ended by CR, CRLF or LF (empty lines
// and a missing last separator tolerated, a UTF-8 byte order mark skipped),
// bytes converted from the MSH-18 character set to UTF-8 first.
// On failure `out` holds the segments read before the problem, at least the
// MSH once MSH-1 and MSH-2 were readable (its bytes above 0x7F as '?' when
// they could not be converted), so that build_ack() can answer the sender;
// otherwise it is empty.
Result parse(std::string_view bytes, Message& out, const ParseOptions& options = {});

// MSH-9.1, MSH-9.2 (except for ACK), MSH-10, MSH-11 and MSH-12 present;
// otherwise a failure with code 101 at the first missing one.
Result check_header(const Message& m);

// HL7 table 0357 text for a code ("Segment sequence error" for "100").
std::string_view error_code_text(std::string_view code) noexcept;

enum class AckCode { accept, error, reject };  // MSA-1 AA, AE, AR
std::string_view ack_code_name(AckCode c) noexcept;

struct AckRequest {
  AckCode code = AckCode::accept;
  std::string control_id;      // MSH-10 of the ACK: an id unique among the sender's ACKs
  std::string timestamp;       // MSH-7, e.g. 20240501083000+0800
  std::string text;            // MSA-3; empty: the first error's message, if any
  std::vector<Result> errors;  // one ERR segment each
  // MSH-3/MSH-4 of the ACK when the original names no receiver (it could not
  // be parsed, or left MSH-5/MSH-6 empty).
  std::string application;
  std::string facility;
  std::string default_version = "2.5";  // MSH-12 when the original has none
};

// An original-mode ACK to `original`: MSH with sending and receiving
// application/facility swapped, MSH-7 and MSH-10 from the request, MSH-9
// ACK^<trigger>^ACK, MSH-11 and MSH-12 copied, the original's delimiters;
// MSA-1 code, MSA-2 the original MSH-10, MSA-3 text; per error an ERR with
// ERR-2 location, ERR-3 code^text^HL70357, ERR-4 "E" and ERR-7 the message
// (and ERR-1 for versions before 2.5). `original` may be what a failed parse()
// left, even empty: the ACK then has default delimiters, MSH-9 "ACK", MSH-11
// "P" and an empty MSA-2.
// Character set: the ACK is in the original's charset(), and its MSH-18 is the
// original's MSH-18 when that names it (else the charset's own name, e.g.
// "ASCII" for an original whose MSH-18 was not understood). Like any Message,
// serialize() gives UTF-8 text whatever MSH-18 says; encode() gives the bytes
// to send, in the character set MSH-18 declares.
Message build_ack(const Message& original, const AckRequest& request);

// build_ack(), then one ERR per warning with ERR-4 "W" (HL7 table 0516,
// warning): for an AA whose message was taken but left something out, e.g. a
// diagnosis in a code system the receiver does not map. Versions before 2.5
// have no ERR-4 (their ERR-1 reads as an error), so there the warnings are
// not written. SDK 1.4.
Message build_ack(const Message& original, const AckRequest& request, const std::vector<Result>& warnings);

}  // namespace medgate::sdk::hl7
