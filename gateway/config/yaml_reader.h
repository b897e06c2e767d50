// Reads one YAML mapping of the config with typed getters that report every
// problem (wrong type, out of range, unknown or duplicate key) at its
// position, so `medgated --check` can list them all at once.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "medgate/sdk/value.h"

namespace medgate::config {

// Where the config came from and where problems go.
struct ReadContext {
  std::string file;      // as given on the command line, for messages
  std::string base_dir;  // relative paths resolve against this (absolute)
  Diagnostics& diags;

  void error(const YAML::Node& at, std::string message) const;
  void error(Mark at, std::string message) const { diags.error(file, at, std::move(message)); }
  std::string resolve_path(const std::string& path) const;
};

Mark mark_of(const YAML::Node& node);
const char* yaml_kind(const YAML::Node& node);  // "a mapping", "a list", "a scalar", "null"

class MapReader {
 public:
  // `where` names the mapping in messages, e.g. "spool" or "sources.inbox".
  // Reports (and then reads as empty) a node that is not a mapping; an
  // undefined or null node reads as an empty mapping.
  MapReader(const YAML::Node& node, std::string where, const ReadContext& ctx);

  bool valid() const noexcept { return valid_; }
  bool has(const std::string& key) const;
  // The raw node (undefined when absent); marks the key as known.
  YAML::Node take(const std::string& key);
  // Typed getters: leave `out` unchanged when the key is absent (unless
  // required, which reports it) or malformed (which reports it).
  bool take_string(const std::string& key, std::string& out, bool required = false);
  bool take_path(const std::string& key, std::string& out, bool required = false);
  bool take_int(const std::string& key, std::int64_t& out, std::int64_t min, std::int64_t max, bool required = false);
  bool take_bool(const std::string& key, bool& out);
  bool take_size(const std::string& key, std::uint64_t& out, std::uint64_t min = 0);
  bool take_duration(const std::string& key, std::int64_t& out, std::int64_t min_ms = 0);
  // A list of strings; a single string is accepted as a one-element list.
  bool take_string_list(const std::string& key, std::vector<std::string>& out, bool required = false);
  // Reports every key not taken as unknown (with a suggestion when close).
  void finish();

  // The mapping's key/value pairs in file order (for named sections).
  std::vector<std::pair<std::string, YAML::Node>> entries() const;
  Mark key_mark(const std::string& key) const;
  // Where the value of `key` starts (the map itself when `key` is absent).
  Mark value_mark(const std::string& key) const;
  Mark mark() const { return mark_of(node_); }
  const std::string& where() const noexcept { return where_; }
  std::string path_of(const std::string& key) const { return where_.empty() ? key : where_ + "." + key; }

 private:
  YAML::Node node_;
  std::string where_;
  const ReadContext& ctx_;
  bool valid_ = true;
  std::vector<std::pair<std::string, YAML::Node>> keys_;  // key node, value node
  std::set<std::string> taken_;
};

// Scalar conversions shared with plugin option validation. Each returns false
// (and sets `why`) when the node does not hold the type.
bool read_string(const YAML::Node& n, std::string& out, std::string& why);
bool read_int(const YAML::Node& n, std::int64_t& out, std::string& why);
bool read_number(const YAML::Node& n, double& out, std::string& why);
bool read_bool(const YAML::Node& n, bool& out, std::string& why);
bool read_size(const YAML::Node& n, std::uint64_t& out, std::string& why);
bool read_duration(const YAML::Node& n, std::int64_t& out, std::string& why);
bool read_string_list(const YAML::Node& n, std::vector<std::string>& out, std::string& why);
// Untyped conversion (policy parameters): plain scalars become integers,
// numbers, booleans or null when they look like one; quoted ones stay strings.
sdk::Value to_value(const YAML::Node& n);

// The closest of `known` to `word`, or empty when none is close.
std::string closest(const std::string& word, const std::vector<std::string>& known);

}  // namespace medgate::config
