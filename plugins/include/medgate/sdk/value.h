// Value: a JSON-like tree. Records and plugin configuration are Values, so the
// plugin boundary carries no third-party types.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace medgate::sdk {

class Value {
 public:
  using Array = std::vector<Value>;
  using Member = std::pair<std::string, Value>;
  using Object = std::vector<Member>;  // keeps insertion order; records are small
  enum class Type : std::uint8_t { null, boolean, integer, number, string, array, object };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(std::int64_t{i}) {}
  Value(std::int64_t i) : v_(i) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(Array a) : v_(std::move(a)) {}
  Value(Object o) : v_(std::move(o)) {}

  static Value object() { return Value(Object{}); }
  static Value array() { return Value(Array{}); }

  Type type() const noexcept { return static_cast<Type>(v_.index()); }
  bool is_null() const noexcept { return type() == Type::null; }
  bool is_bool() const noexcept { return type() == Type::boolean; }
  bool is_int() const noexcept { return type() == Type::integer; }
  bool is_number() const noexcept { return type() == Type::number || is_int(); }
  bool is_string() const noexcept { return type() == Type::string; }
  bool is_array() const noexcept { return type() == Type::array; }
  bool is_object() const noexcept { return type() == Type::object; }

  // Typed access; the caller checks the type first (throws std::bad_variant_access otherwise).
  bool as_bool() const { return std::get<bool>(v_); }
  std::int64_t as_int() const { return std::get<std::int64_t>(v_); }
  double as_double() const { return is_int() ? double(as_int()) : std::get<double>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  std::string& as_string() { return std::get<std::string>(v_); }
  const Array& as_array() const { return std::get<Array>(v_); }
  Array& as_array() { return std::get<Array>(v_); }
  const Object& as_object() const { return std::get<Object>(v_); }
  Object& as_object() { return std::get<Object>(v_); }

  // Object members. find() returns nullptr when absent or when this is not an object.
  const Value* find(std::string_view key) const noexcept;
  Value* find(std::string_view key) noexcept;
  // Inserts null when absent; turns a null Value into an object first.
  Value& operator[](std::string_view key);
  bool erase(std::string_view key);
  // Dotted path, e.g. "patient.region.city"; nullptr when any step is missing.
  const Value* at_path(std::string_view path) const noexcept;
  Value* at_path(std::string_view path) noexcept;
  // Creates intermediate objects as needed.
  Value& set_path(std::string_view path, Value v);
  // Removes the value at path; true when something was removed.
  bool erase_path(std::string_view path);

  // Convenience readers with a fallback for absent or mistyped members.
  std::string_view string_or(std::string_view key, std::string_view fallback) const noexcept;

  void push_back(Value v) { as_array().push_back(std::move(v)); }
  std::size_t size() const noexcept;

  friend bool operator==(const Value& a, const Value& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object> v_;
};

const char* type_name(Value::Type t) noexcept;

}  // namespace medgate::sdk
