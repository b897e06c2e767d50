#include "config/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "config/units.h"

namespace medgate::config {
namespace {
bool is_plain(const YAML::Node& n) { return n.Tag() == "?" || n.Tag().empty(); }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

void ReadContext::error(const YAML::Node& at, std::string message) const {
  diags.error(file, mark_of(at), std::move(message));
}

std::string ReadContext::resolve_path(const std::string& path) const {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(base_dir) / p;
  return p.lexically_normal().string();
}

Mark mark_of(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  YAML::Mark m = node.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

const char* yaml_kind(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "empty";
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  return "a scalar";
}

std::string closest(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& k : known) {
    std::size_t d = edit_distance(word, k);
    if (d < best_d) best_d = d, best = k;
  }
  return best;
}

bool read_string(const YAML::Node& n, std::string& out, std::string& why) {
  if (!n.IsScalar()) {
    why = std::string("must be a string, not ") + yaml_kind(n);
    return false;
  }
  out = n.Scalar();
  return true;
}

bool read_int(const YAML::Node& n, std::int64_t& out, std::string& why) {
  const std::string& s = n.IsScalar() ? n.Scalar() : std::string();
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  if (!n.IsScalar() || !is_plain(n) || s.empty() || ec != std::errc() || p != end) {
    why = n.IsScalar() ? "must be an integer, not '" + s + "'" : std::string("must be an integer, not ") + yaml_kind(n);
    return false;
  }
  return true;
}

bool read_number(const YAML::Node& n, double& out, std::string& why) {
  const std::string& s = n.IsScalar() ? n.Scalar() : std::string();
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  if (!n.IsScalar() || !is_plain(n) || s.empty() || ec != std::errc() || p != end) {
    why = n.IsScalar() ? "must be a number, not '" + s + "'" : std::string("must be a number, not ") + yaml_kind(n);
    return false;
  }
  return true;
}

bool read_bool(const YAML::Node& n, bool& out, std::string& why) {
  const std::string& s = n.IsScalar() ? n.Scalar() : std::string();
  if (n.IsScalar() && is_plain(n) && (s == "true" || s == "false")) {
    out = s == "true";
    return true;
  }
  why = n.IsScalar() ? "must be true or false, not '" + s + "'" : std::string("must be true or false, not ") + yaml_kind(n);
  return false;
}

bool read_size(const YAML::Node& n, std::uint64_t& out, std::string& why) {
  if (n.IsScalar())
    if (auto v = parse_size(n.Scalar())) {
      out = *v;
      return true;
    }
  why = std::string("must be a size such as 64MiB, 512k or a byte count, not ") +
        (n.IsScalar() ? "'" + n.Scalar() + "'" : yaml_kind(n));
  return false;
}

bool read_duration(const YAML::Node& n, std::int64_t& out, std::string& why) {
  if (n.IsScalar())
    if (auto v = parse_duration_ms(n.Scalar())) {
      out = *v;
      return true;
    }
  why = std::string("must be a duration such as 250ms, 5s, 2m, 1h or milliseconds, not ") +
        (n.IsScalar() ? "'" + n.Scalar() + "'" : yaml_kind(n));
  return false;
}

bool read_string_list(const YAML::Node& n, std::vector<std::string>& out, std::string& why) {
  out.clear();
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return true;
  }
  if (!n.IsSequence()) {
    why = std::string("must be a list of strings, not ") + yaml_kind(n);
    return false;
  }
  for (const auto& e : n) {
    if (!e.IsScalar()) {
      why = std::string("must be a list of strings; an element is ") + yaml_kind(e);
      return false;
    }
    out.push_back(e.Scalar());
  }
  return true;
}

sdk::Value to_value(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return {};
  if (n.IsSequence()) {
    sdk::Value::Array a;
    for (const auto& e : n) a.push_back(to_value(e));
    return sdk::Value(std::move(a));
  }
  if (n.IsMap()) {
    sdk::Value::Object o;
    for (const auto& kv : n) o.emplace_back(kv.first.Scalar(), to_value(kv.second));
    return sdk::Value(std::move(o));
  }
  std::string why;
  if (is_plain(n)) {
    std::int64_t i;
    double d;
    bool b;
    if (read_int(n, i, why)) return sdk::Value(i);
    if (read_number(n, d, why)) return sdk::Value(d);
    if (read_bool(n, b, why)) return sdk::Value(b);
  }
  return sdk::Value(n.Scalar());
}

MapReader::MapReader(const YAML::Node& node, std::string where, const ReadContext& ctx)
    : node_(node), where_(std::move(where)), ctx_(ctx) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    ctx_.error(node, "'" + where_ + "' must be a mapping, not " + yaml_kind(node));
    valid_ = false;
    return;
  }
  for (const auto& kv : node) {
    std::string key = kv.first.IsScalar() ? kv.first.Scalar() : std::string();
    if (!kv.first.IsScalar()) {
      ctx_.error(kv.first, "keys in '" + where_ + "' must be plain names");
      continue;
    }
    auto dup = std::find_if(keys_.begin(), keys_.end(), [&](const auto& e) { return e.first == key; });
    if (dup != keys_.end()) {
      ctx_.error(kv.first, "duplicate key '" + path_of(key) + "' (first at line " +
                                std::to_string(key_mark(key).line) + ")");
      continue;
    }
    keys_.emplace_back(key, kv.second);
  }
}

bool MapReader::has(const std::string& key) const {
  return std::any_of(keys_.begin(), keys_.end(), [&](const auto& e) { return e.first == key; });
}

Mark MapReader::key_mark(const std::string& key) const {
  for (const auto& kv : node_)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return mark_of(kv.first);
  return mark();
}

Mark MapReader::value_mark(const std::string& key) const {
  for (const auto& kv : node_)
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return mark_of(kv.second);
  return mark();
}

YAML::Node MapReader::take(const std::string& key) {
  taken_.insert(key);
  for (const auto& [k, v] : keys_)
    if (k == key) return v;
  return YAML::Node(YAML::NodeType::Undefined);
}

std::vector<std::pair<std::string, YAML::Node>> MapReader::entries() const { return keys_; }

#define MEDGATE_TAKE(reader_call)                                                   \
  YAML::Node n = take(key);                                                         \
  if (!n.IsDefined()) {                                                             \
    if (required) ctx_.error(mark(), "missing required key '" + path_of(key) + "'"); \
    return false;                                                                   \
  }                                                                                 \
  std::string why;                                                                  \
  if (!(reader_call)) {                                                             \
    ctx_.error(n, "'" + path_of(key) + "' " + why);                                 \
    return false;                                                                   \
  }

bool MapReader::take_string(const std::string& key, std::string& out, bool required) {
  MEDGATE_TAKE(read_string(n, out, why));
  return true;
}

bool MapReader::take_path(const std::string& key, std::string& out, bool required) {
  std::string raw;
  MEDGATE_TAKE(read_string(n, raw, why));
  if (raw.empty()) {
    ctx_.error(n, "'" + path_of(key) + "' must not be empty");
    return false;
  }
  out = ctx_.resolve_path(raw);
  return true;
}

bool MapReader::take_int(const std::string& key, std::int64_t& out, std::int64_t min, std::int64_t max,
                         bool required) {
  std::int64_t v = 0;
  MEDGATE_TAKE(read_int(n, v, why));
  if (v < min || v > max) {
    ctx_.error(n, "'" + path_of(key) + "' must be from " + std::to_string(min) + " to " + std::to_string(max) +
                      ", not " + std::to_string(v));
    return false;
  }
  out = v;
  return true;
}

bool MapReader::take_bool(const std::string& key, bool& out) {
  const bool required = false;
  MEDGATE_TAKE(read_bool(n, out, why));
  return true;
}

bool MapReader::take_size(const std::string& key, std::uint64_t& out, std::uint64_t min) {
  const bool required = false;
  std::uint64_t v = 0;
  MEDGATE_TAKE(read_size(n, v, why));
  if (v < min) {
    ctx_.error(n, "'" + path_of(key) + "' must be at least " + std::to_string(min) + " bytes");
    return false;
  }
  out = v;
  return true;
}

bool MapReader::take_duration(const std::string& key, std::int64_t& out, std::int64_t min_ms) {
  const bool required = false;
  std::int64_t v = 0;
  MEDGATE_TAKE(read_duration(n, v, why));
  if (v < min_ms) {
    ctx_.error(n, "'" + path_of(key) + "' must be at least " + std::to_string(min_ms) + "ms");
    return false;
  }
  out = v;
  return true;
}

bool MapReader::take_string_list(const std::string& key, std::vector<std::string>& out, bool required) {
  std::vector<std::string> v;
  MEDGATE_TAKE(read_string_list(n, v, why));
  out = std::move(v);
  return true;
}
#undef MEDGATE_TAKE

void MapReader::finish() {
  std::vector<std::string> known(taken_.begin(), taken_.end());
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar() || taken_.count(kv.first.Scalar())) continue;
    const std::string& key = kv.first.Scalar();
    std::string msg = "unknown key '" + path_of(key) + "'";
    if (std::string near = closest(key, known); !near.empty()) msg += " (did you mean '" + near + "'?)";
    else if (!known.empty()) msg += " (known keys: " + join(known) + ")";
    ctx_.error(kv.first, std::move(msg));
  }
  taken_.clear();  // report once
  for (const auto& [k, v] : keys_) taken_.insert(k);
}

}  // namespace medgate::config
