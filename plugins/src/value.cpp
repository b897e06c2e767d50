#include "medgate/sdk/value.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace medgate::sdk {
namespace {
// Splits "a.b.c" into its first segment and the rest.
std::pair<std::string_view, std::string_view> split_first(std::string_view path) {
  auto dot = path.find('.');
  if (dot == std::string_view::npos) return {path, {}};
  return {path.substr(0, dot), path.substr(dot + 1)};
}

// Member keys are short and many share a length ("name", "code", "role"):
// the first byte tells most of them apart, and keys of up to 16 bytes are
// compared as two overlapping words each, without a call to memcmp.
[[gnu::always_inline]] inline bool same_key(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  if (n == 0) return true;
  const char* const x = a.data();
  const char* const y = b.data();
  if (x[0] != y[0]) return false;  // tells most keys of one length apart
  auto words_equal = [&]<typename Word>(Word) {
    Word x0, x1, y0, y1;
    std::memcpy(&x0, x, sizeof(Word));
    std::memcpy(&y0, y, sizeof(Word));
    std::memcpy(&x1, x + n - sizeof(Word), sizeof(Word));
    std::memcpy(&y1, y + n - sizeof(Word), sizeof(Word));
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  };
  if (n >= 8) return n <= 16 ? words_equal(std::uint64_t{}) : std::memcmp(x, y, n) == 0;
  if (n >= 4) return words_equal(std::uint32_t{});
  // 1 to 3 bytes: the middle and the last cover the rest.
  return x[n / 2] == y[n / 2] && x[n - 1] == y[n - 1];
}
}  // namespace

const char* type_name(Value::Type t) noexcept {
  switch (t) {
    case Value::Type::null: return "null";
    case Value::Type::boolean: return "boolean";
    case Value::Type::integer: return "integer";
    case Value::Type::number: return "number";
    case Value::Type::string: return "string";
    case Value::Type::array: return "array";
    case Value::Type::object: return "object";
  }
  return "unknown";
}

const Value* Value::find(std::string_view key) const noexcept {
  if (!is_object()) return nullptr;
  for (const auto& [k, v] : std::get<Object>(v_))
    if (same_key(k, key)) return &v;
  return nullptr;
}

Value* Value::find(std::string_view key) noexcept {
  return const_cast<Value*>(static_cast<const Value*>(this)->find(key));
}

Value& Value::operator[](std::string_view key) {
  if (is_null()) v_ = Object{};
  if (Value* v = find(key)) return *v;
  auto& obj = as_object();
  // Records' objects hold a handful of members: one allocation instead of
  // growing 1, 2, 4, 8.
  if (obj.capacity() == 0) obj.reserve(8);
  obj.emplace_back(std::string(key), Value{});
  return obj.back().second;
}

bool Value::erase(std::string_view key) {
  if (!is_object()) return false;
  auto& obj = as_object();
  auto it = std::find_if(obj.begin(), obj.end(), [&](const Member& m) { return same_key(m.first, key); });
  if (it == obj.end()) return false;
  obj.erase(it);
  return true;
}

const Value* Value::at_path(std::string_view path) const noexcept {
  const Value* cur = this;
  while (cur && !path.empty()) {
    auto [head, rest] = split_first(path);
    cur = cur->find(head);
    path = rest;
  }
  return cur;
}

Value* Value::at_path(std::string_view path) noexcept {
  return const_cast<Value*>(static_cast<const Value*>(this)->at_path(path));
}

Value& Value::set_path(std::string_view path, Value v) {
  Value* cur = this;
  for (;;) {
    auto [head, rest] = split_first(path);
    if (!cur->is_object()) *cur = Value::object();
    Value& next = (*cur)[head];
    if (rest.empty()) {
      next = std::move(v);
      return next;
    }
    cur = &next;
    path = rest;
  }
}

bool Value::erase_path(std::string_view path) {
  auto dot = path.rfind('.');
  if (dot == std::string_view::npos) return erase(path);
  Value* parent = at_path(path.substr(0, dot));
  return parent && parent->erase(path.substr(dot + 1));
}

std::string_view Value::string_or(std::string_view key, std::string_view fallback) const noexcept {
  const Value* v = find(key);
  return v && v->is_string() ? std::string_view(v->as_string()) : fallback;
}

std::size_t Value::size() const noexcept {
  if (is_array()) return std::get<Array>(v_).size();
  if (is_object()) return std::get<Object>(v_).size();
  return 0;
}

}  // namespace medgate::sdk
