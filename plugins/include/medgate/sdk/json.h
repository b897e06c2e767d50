// JSON text <-> Value, for records, config and plugin payloads.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"

#define MEDGATE_SDK_API __attribute__((visibility("default")))

namespace medgate::sdk {

struct JsonLimits {
  std::size_t max_bytes = 16u << 20;  // refuse larger documents
  std::size_t max_depth = 64;
};

// Parses one JSON document. On failure returns a Status naming the problem
// and, where known, the byte offset; `out` is then unspecified.
Status parse_json(std::string_view text, Value& out, const JsonLimits& limits = {});

// Appends compact JSON (UTF-8 kept as is, control characters escaped).
void append_json(const Value& v, std::string& out);
std::string to_json(const Value& v);
// Appends `s` as a quoted JSON string.
void append_json_string(std::string_view s, std::string& out);

// SDK 1.6. Writes several pieces of JSON into one string, e.g. an object whose
// members come from different places, at less cost than one append_json call
// each: the string grows with some slack and is trimmed to what was written
// once, when the appender is destroyed. Until then `out` holds scratch bytes
// past what was written; write to it only through the appender.
//
//   std::string out;
//   {
//     sdk::JsonAppender json(out);
//     json.raw("{\"kind\":");
//     json.string(kind);
//     json.raw(",\"body\":");
//     json.value(body);
//     json.raw('}');
//   }
class MEDGATE_SDK_API JsonAppender {
 public:
  // Appends after what `out` already holds.
  explicit JsonAppender(std::string& out) noexcept : out_(out), used_(out.size()) {}
  ~JsonAppender();
  JsonAppender(const JsonAppender&) = delete;
  JsonAppender& operator=(const JsonAppender&) = delete;

  void value(const Value& v);       // compact JSON, as append_json writes it
  void string(std::string_view s);  // a quoted JSON string, as append_json_string writes it
  // Bytes that are JSON already, as they are (inline: the common small pieces
  // of an object, its braces, commas and keys).
  void raw(std::string_view json) {
    if (json.empty()) return;  // its data() may be null
    if (out_.size() - used_ < json.size()) grow(json.size());
    std::memcpy(out_.data() + used_, json.data(), json.size());
    used_ += json.size();
  }
  void raw(char c) {
    if (out_.size() == used_) grow(1);
    out_[used_++] = c;
  }

 private:
  void grow(std::size_t n);  // makes room for at least n more bytes

  std::string& out_;
  std::size_t used_;  // bytes of out_ written; the rest is scratch until the destructor trims it
};

}  // namespace medgate::sdk
