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
// per step instead of one. Exact for the word as a whole: a borrow only runs
// on from a byte that is itself below 0x20.
inline bool needs_escape8(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto has_zero = [&](std::uint64_t x) { return (x - ones) & ~x & highs; };
  const std::uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return below_space | has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\'));
}

inline bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// 16 bytes at once (GCC vector extensions: SSE2 on x86-64, NEON on arm64).
typedef unsigned char Bytes16 __attribute__((vector_size(16)));
inline bool needs_escape16(const char* in) {
  Bytes16 v;
  std::memcpy(&v, in, 16);
  const auto hit = (v < 0x20) | (v == '"') | (v == '\\');
  std::uint64_t half[2];
  std::memcpy(half, &hit, 16);
  return (half[0] | half[1]) != 0;
}

// How many bytes at the start of `s` need no escaping: s.size() when none
// does. Whole blocks are tested, the last one overlapping the one before, so
// a string of 4 bytes or more is read without a byte-by-byte loop; the exact
// position is looked for only inside a block that holds such a byte.
inline std::size_t clean_prefix(std::string_view s) {
  const char* const in = s.data();
  const std::size_t n = s.size();
  std::size_t at = 0;  // bytes known clean
  if (n >= 16) {
    for (; at + 16 <= n; at += 16)
      if (needs_escape16(in + at)) break;
    if (at + 16 > n && (at == n || !needs_escape16(in + n - 16))) return n;
  } else if (n >= 8) {
    std::uint64_t head, tail;
    std::memcpy(&head, in, 8);
    std::memcpy(&tail, in + n - 8, 8);
    if (!needs_escape8(head) && !needs_escape8(tail)) return n;
  } else if (n >= 4) {
    std::uint32_t head, tail;
    std::memcpy(&head, in, 4);
    std::memcpy(&tail, in + n - 4, 4);
    if (!needs_escape8(head | std::uint64_t{tail} << 32)) return n;
  }
  while (at < n && !needs_escape(static_cast<unsigned char>(in[at]))) ++at;
  return at;
}

// Writes into the free space of a std::string through a raw pointer: each
// write first makes room for its worst case, so the bytes themselves are
// stored without a capacity check each (push_back and append were most of
// the serializer's instructions).
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out), used_(out.size()) {}
  // Over `out`'s first `used` bytes; those after them are scratch.
  JsonWriter(std::string& out, std::size_t used) : out_(out), used_(used) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;
  ~JsonWriter() {
    if (trim_) out_.resize(used_);
  }
  // Leaves `out` untrimmed (its owner trims it later); returns the bytes written.
  std::size_t keep_scratch() {
    trim_ = false;
    return used_;
  }
  void byte(char c) {
    *room(1) = c;
    ++used_;
  }
  // A pointer to at least `n` writable bytes at the end of what is written.
  char* room(std::size_t n) {
    // The slack spares the next small writes a resize each; std::string
    // grows its capacity geometrically.
    if (out_.size() - used_ < n) out_.resize(used_ + n + 256);
    return out_.data() + used_;
  }

  void value(const Value& v) {
    switch (v.type()) {
      case Value::Type::null: literal("null"); return;
      case Value::Type::boolean: v.as_bool() ? literal("true") : literal("false"); return;
      case Value::Type::integer: {
        char* p = room(24);
        used_ = std::to_chars(p, p + 24, v.as_int()).ptr - out_.data();
        return;
      }
      case Value::Type::number: number(v.as_double()); return;
      case Value::Type::string: string(v.as_string()); return;
      case Value::Type::array: {
        const auto& elements = v.as_array();
        byte('[');
        for (std::size_t i = 0; i < elements.size(); ++i) {
          if (i) byte(',');
          value(elements[i]);
        }
        byte(']');
        return;
      }
      case Value::Type::object: {
        const auto& members = v.as_object();
        byte('{');
        for (std::size_t i = 0; i < members.size(); ++i) {
          if (i) byte(',');
          string(members[i].first);
          byte(':');
          value(members[i].second);
        }
        byte('}');
        return;
      }
    }
  }

  void string(std::string_view s) {
    // Room for the string as is and its quotes; the bytes before the first
    // one that needs escaping (all of them, nearly always) go in one copy.
    char* p = room(s.size() + 2);
    *p++ = '"';
    const std::size_t clean = clean_prefix(s);
    if (clean) std::memcpy(p, s.data(), clean);  // an empty view's data() may be null
    p += clean;
    for (std::size_t i = clean; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (!needs_escape(c)) {
        *p++ = static_cast<char>(c);
        continue;
      }
      // Room for the worst case of the rest, this byte included: every
      // byte written as \u00XX, then the closing quote.
      used_ = static_cast<std::size_t>(p - out_.data());
      p = escape(c, room((s.size() - i) * 6 + 1));
    }
    *p++ = '"';
    used_ = static_cast<std::size_t>(p - out_.data());
  }

  void number(double d) {
    if (!std::isfinite(d)) {
      literal("null");
      return;
    }
    char* const p = room(32 + 2);
    char* const end = std::to_chars(p, p + 32, d).ptr;
    // A double stays a double across a round trip: 3.0, -0.0 and 2^64 would
    // otherwise be written as integers ("3", "-0", "18446744073709551616"),
    // which parse back as integers or overflow.
    char* last = end;
    if (std::find_if(p, end, [](char c) { return c == '.' || c == 'e'; }) == end) {
      *last++ = '.';
      *last++ = '0';
    }
    used_ += last - p;
  }

 private:
  static char* escape(unsigned char c, char* p) {
    static constexpr char kHex[] = "0123456789abcdef";
    *p++ = '\\';
    switch (c) {
      case '"': *p++ = '"'; break;
      case '\\': *p++ = '\\'; break;
      case '\n': *p++ = 'n'; break;
      case '\r': *p++ = 'r'; break;
      case '\t': *p++ = 't'; break;
      case '\b': *p++ = 'b'; break;
      case '\f': *p++ = 'f'; break;
      default:
        std::memcpy(p, "u00", 3);
        p += 3;
        *p++ = kHex[c >> 4];
        *p++ = kHex[c & 15];
    }
    return p;
  }

  template <std::size_t N>
  void literal(const char (&s)[N]) {
    std::memcpy(room(N - 1), s, N - 1);
    used_ += N - 1;
  }

  std::string& out_;
  std::size_t used_;  // bytes of out_ written; the rest is scratch until the destructor trims it
  bool trim_ = true;
};
}  // namespace

JsonAppender::~JsonAppender() { out_.resize(used_); }

void JsonAppender::value(const Value& v) {
  JsonWriter w(out_, used_);
  w.value(v);
  used_ = w.keep_scratch();
}

void JsonAppender::string(std::string_view s) {
  JsonWriter w(out_, used_);
  w.string(s);
  used_ = w.keep_scratch();
}

void JsonAppender::grow(std::size_t n) {
  JsonWriter w(out_, used_);
  w.room(n);
  w.keep_scratch();
}

void append_json_string(std::string_view s, std::string& out) { JsonWriter(out).string(s); }

void append_json(const Value& v, std::string& out) { JsonWriter(out).value(v); }

std::string to_json(const Value& v) {
  std::string out;
  out.resize(v.is_object() || v.is_array() ? 1024 : 64);  // records: one allocation; trimmed by the writer
  JsonWriter(out, 0).value(v);
  return out;
}

}  // namespace medgate::sdk
