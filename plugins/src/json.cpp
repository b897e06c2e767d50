// JSON parsing uses simdjson (Debian libsimdjson-dev): a well-kept, fuzzed
// parser that is several times faster than hand-written ones. Serialization
// is small enough to write here.
#include "medgate/sdk/json.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

namespace medgate::sdk {
namespace {

Status convert(simdjson::dom::element e, Value& out, std::size_t depth, const JsonLimits& limits) {
  using T = simdjson::dom::element_type;
  if (depth > limits.max_depth)
    return Status::Invalid("JSON nested deeper than " + std::to_string(limits.max_depth) + " levels");
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
        if (Status s = convert(child, arr.back(), depth + 1, limits); !s.ok()) return s;
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
        if (Status s = convert(field.value, obj.back().second, depth + 1, limits); !s.ok()) return s;
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
  return convert(root, out, 0, limits);
}

void append_json_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (std::size_t i = 0; i < s.size(); ++i) {
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
  append_json(v, out);
  return out;
}

}  // namespace medgate::sdk
