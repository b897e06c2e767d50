// JSON parsing uses simdjson (Debian libsimdjson-dev): a well-kept, fuzzed
// parser that is several times faster than hand-written ones. Serialization
// is small enough to write here.
#include "medgate/sdk/json.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <vector>
#include <cmath>

namespace medgate::sdk {
namespace {

// Field names go into error messages only when they look like field names;
// anything else could be data.
std::string key_for_message(const std::string& key) {
  bool plain = !key.empty() && key.size() <= 64 &&
               std::all_of(key.begin(), key.end(), [](unsigned char c) {
                 return std::isalnum(c) || c == '_' || c == '-' || c == '.';
               });
  return plain ? key : "(" + std::to_string(key.size()) + "-byte key)";
}

// True when two members of `obj` share a key. JSON (RFC 8259 section 4) leaves
// duplicates to the implementation; medgate refuses them, since which of two
// values a consumer would pick is unknowable.
const std::string* duplicate_key(const Value::Object& obj) {
  if (obj.size() < 2) return nullptr;
  if (obj.size() <= 16) {
    for (std::size_t i = 1; i < obj.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (obj[i].first == obj[j].first) return &obj[i].first;
    return nullptr;
  }
  std::vector<const std::string*> keys;
  keys.reserve(obj.size());
  for (const auto& m : obj) keys.push_back(&m.first);
  std::sort(keys.begin(), keys.end(), [](auto* a, auto* b) { return *a < *b; });
  for (std::size_t i = 1; i < keys.size(); ++i)
    if (*keys[i] == *keys[i - 1]) return keys[i];
  return nullptr;
}

// `where` receives, on failure, the dotted path of the offending member
// ("subject.name", "notes[].text"), built while unwinding.
Status convert(simdjson::dom::element e, Value& out, std::size_t depth, const JsonLimits& limits,
               std::string& where) {
  using T = simdjson::dom::element_type;
  if (depth > limits.max_depth)
    return Status::Invalid("JSON nested deeper than " + std::to_string(limits.max_depth) + " levels");
  auto prepend = [&where](std::string_view step) {
    if (where.empty() || where.starts_with("[]"))
      where.insert(0, step);
    else
      where.insert(0, std::string(step) + ".");
  };
  switch (e.type()) {
    case T::NULL_VALUE: out = Value(); return Status::Ok();
    case T::BOOL: out = Value(bool(e.get_bool().value_unsafe())); return Status::Ok();
    case T::INT64: out = Value(std::int64_t(e.get_int64().value_unsafe())); return Status::Ok();
    case T::UINT64: out = Value(double(e.get_uint64().value_unsafe())); return Status::Ok();
    case T::DOUBLE: out = Value(e.get_double().value_unsafe()); return Status::Ok();
    case T::STRING: out = Value(std::string_view(e.get_string().value_unsafe())); return Status::Ok();
    case T::ARRAY: {
      Value::Array arr;
      auto a = e.get_array().value_unsafe();
      arr.reserve(a.size());
      for (auto child : a) {
        arr.emplace_back();
        if (Status s = convert(child, arr.back(), depth + 1, limits, where); !s.ok()) {
          prepend("[]");
          return s;
        }
      }
      out = Value(std::move(arr));
      return Status::Ok();
    }
    case T::OBJECT: {
      Value::Object obj;
      auto o = e.get_object().value_unsafe();
      obj.reserve(o.size());
      for (auto field : o) {
        obj.emplace_back(std::string(field.key), Value{});
        if (Status s = convert(field.value, obj.back().second, depth + 1, limits, where); !s.ok()) {
          prepend(key_for_message(obj.back().first));
          return s;
        }
      }
      if (const std::string* dup = duplicate_key(obj)) {
        prepend(key_for_message(*dup));
        return Status::Invalid("duplicate key");
      }
      out = Value(std::move(obj));
      return Status::Ok();
    }
  }
  return Status::Internal("unexpected JSON element type");
}

void append_number(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, r.ptr);
  // A double stays a double across a round trip: 3.0, -0.0 and 2^64 would
  // otherwise be written as integers ("3", "-0", "18446744073709551616"),
  // which parse back as integers or overflow.
  if (std::find_if(buf, r.ptr, [](char c) { return c == '.' || c == 'e'; }) == r.ptr) out += ".0";
}


}  // namespace

Status parse_json(std::string_view text, Value& out, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes)
    return Status::Exhausted("JSON document of " + std::to_string(text.size()) +
                             " bytes exceeds the limit of " + std::to_string(limits.max_bytes));
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto err = parser.parse(text.data(), text.size(), true).get(root);
  if (err) return Status::Invalid(std::string("invalid JSON: ") + simdjson::error_message(err));
  std::string where;
  Status s = convert(root, out, 0, limits, where);
  if (!s.ok() && s.message() == "duplicate key") return Status::Invalid("duplicate key '" + where + "'");
  return s;
}

namespace {
// True when any of the 8 bytes in `w` is a control character (< 0x20), '"' or
// '\\': the bytes JSON strings must escape. Bit tricks on a 64-bit word, so
// the common case (text with nothing to escape, UTF-8 included) moves 8 bytes
// per step instead of one.
inline bool needs_escape8(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto has_zero = [&](std::uint64_t x) { return (x - ones) & ~x & highs; };
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return below_space | has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\'));
}
}  // namespace

void append_json_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escaping
  std::size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size()) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!needs_escape8(w)) {
        i += 8;
        continue;
      }
    }
    const std::size_t chunk_end = std::min(i + 8, s.size());
    for (; i < chunk_end; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out.append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void append_json(const Value& v, std::string& out) {
  switch (v.type()) {
    case Value::Type::null: out += "null"; return;
    case Value::Type::boolean: out += v.as_bool() ? "true" : "false"; return;
    case Value::Type::integer: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_int());
      out.append(buf, r.ptr);
      return;
    }
    case Value::Type::number: append_number(v.as_double(), out); return;
    case Value::Type::string: append_json_string(v.as_string(), out); return;
    case Value::Type::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_json(e, out);
      }
      out.push_back(']');
      return;
    }
    case Value::Type::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [k, e] : v.as_object()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(k, out);
        out.push_back(':');
        append_json(e, out);
      }
      out.push_back('}');
      return;
    }
  }
}

std::string to_json(const Value& v) {
  std::string out;
  if (!v.is_string() && v.size() > 0) out.reserve(512);  // records: one allocation instead of ~8 doublings
  append_json(v, out);
  return out;
}

}  // namespace medgate::sdk
