#include "pipeline/field_methods.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "pipeline/patient_identifier.h"
#include "pipeline/scrub/text_scrubber.h"

namespace medgate::pipeline {
namespace {

// Rule parameters: typed readers that reject unknown parameters (fail closed).
class Params {
 public:
  Params(const config::PolicyRule& rule, std::set<std::string> allowed) : rule_(rule), allowed_(std::move(allowed)) {}
  sdk::Status check_unknown() const {
    if (!rule_.params.is_object()) return sdk::Status::Ok();
    for (const auto& [k, v] : rule_.params.as_object())
      if (!allowed_.count(k))
        return sdk::Status::Invalid("method '" + rule_.method + "' takes no parameter '" + k + "'");
    return sdk::Status::Ok();
  }
  sdk::Status integer(const char* name, std::int64_t def, std::int64_t lo, std::int64_t hi, std::int64_t& out) const {
    out = def;
    const sdk::Value* v = rule_.params.find(name);
    if (!v) return sdk::Status::Ok();
    if (!v->is_int() || v->as_int() < lo || v->as_int() > hi)
      return sdk::Status::Invalid(std::string("parameter '") + name + "' must be an integer from " +
                                  std::to_string(lo) + " to " + std::to_string(hi));
    out = v->as_int();
    return sdk::Status::Ok();
  }
  sdk::Status string(const char* name, const std::string& def, std::string& out) const {
    out = def;
    const sdk::Value* v = rule_.params.find(name);
    if (!v) return sdk::Status::Ok();
    if (!v->is_string()) return sdk::Status::Invalid(std::string("parameter '") + name + "' must be a string");
    out = v->as_string();
    return sdk::Status::Ok();
  }
  const sdk::Value* raw(const char* name) const { return rule_.params.find(name); }

 private:
  const config::PolicyRule& rule_;
  std::set<std::string> allowed_;
};

// Splits UTF-8 text into code points (invalid bytes count as one each).
std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    n = std::min(n, s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

class KeepMethod : public FieldMethod {
 public:
  void apply(const sdk::Value& in, const RecordContext&, sdk::Value& out, FieldAction&) const override { out = in; }
};

class DropMethod : public FieldMethod {
 public:
  void apply(const sdk::Value&, const RecordContext&, sdk::Value&, FieldAction&) const override {}
};

class TokenMethod : public FieldMethod {
 public:
  TokenMethod(std::string domain, const crypto::KeyedHasher& h, std::string key_id, std::size_t len)
      : domain_(std::move(domain)), hasher_(h), key_id_(std::move(key_id)), len_(len) {}
  void apply(const sdk::Value& in, const RecordContext&, sdk::Value& out, FieldAction&) const override {
    if (in.is_array()) {
      sdk::Value::Array arr;
      for (const auto& e : in.as_array())
        if (std::string t = identifier_text(e); !t.empty()) arr.emplace_back(hasher_.token(domain_, t, len_));
      out = sdk::Value(std::move(arr));
      return;
    }
    if (std::string t = identifier_text(in); !t.empty()) out = hasher_.token(domain_, t, len_);
  }
  const std::string* key_id() const override { return &key_id_; }

 private:
  std::string domain_;
  const crypto::KeyedHasher& hasher_;
  std::string key_id_;
  std::size_t len_;
};

class MaskMethod : public FieldMethod {
 public:
  MaskMethod(std::size_t first, std::size_t last) : first_(first), last_(last) {}
  void apply(const sdk::Value& in, const RecordContext&, sdk::Value& out, FieldAction&) const override {
    std::string text = identifier_text(in);
    if (text.empty()) return;
    auto cps = code_points(text);
    std::string masked;
    for (std::size_t i = 0; i < cps.size(); ++i) {
      // Always mask at least one character: a short value is never passed whole.
      bool show = (i < first_ || i + last_ >= cps.size()) && cps.size() > first_ + last_;
      if (show) masked.append(cps[i]);
      else masked.push_back('*');
    }
    out = masked;
  }

 private:
  std::size_t first_, last_;
};

// Reads "YYYY-MM-DD..." into year, month, day; false when it is not a date.
bool parse_date(std::string_view s, int& y, int& m, int& d) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-') return false;
  auto num = [&](std::size_t at, std::size_t n, int& v) {
    auto r = std::from_chars(s.data() + at, s.data() + at + n, v);
    return r.ec == std::errc() && r.ptr == s.data() + at + n;
  };
  return num(0, 4, y) && num(5, 2, m) && num(8, 2, d) && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

// Province and city of a mainland address; nothing below city level.
bool parse_region(std::string_view addr, std::string& province, std::string& city) {
  static constexpr std::string_view kMunicipalities[] = {"北京市", "上海市", "天津市", "重庆市"};
  for (auto m : kMunicipalities)
    if (addr.substr(0, m.size()) == m) {
      province = city = std::string(m);
      return true;
    }
  std::size_t end = std::string_view::npos;
  for (std::string_view suffix : {"特别行政区", "自治区", "省"}) {
    std::size_t p = addr.find(suffix);
    if (p != std::string_view::npos && p <= 30) {
      end = p + suffix.size();
      break;
    }
  }
  if (end == std::string_view::npos) return false;
  province = std::string(addr.substr(0, end));
  city.clear();
  std::string_view rest = addr.substr(end);
  std::size_t best = std::string_view::npos, best_len = 0;
  for (std::string_view suffix : {"自治州", "地区", "市", "州", "盟"}) {
    std::size_t p = rest.find(suffix);
    if (p != std::string_view::npos && p <= 24 && p < best) {
      best = p;
      best_len = suffix.size();
    }
  }
  if (best != std::string_view::npos) city = std::string(rest.substr(0, best + best_len));
  return true;
}

class GeneralizeMethod : public FieldMethod {
 public:
  enum class Level { year, age_band, month, date, region, province, amount_band };
  GeneralizeMethod(Level level, std::vector<double> buckets) : level_(level), buckets_(std::move(buckets)) {}

  void apply(const sdk::Value& in, const RecordContext& ctx, sdk::Value& out, FieldAction&) const override {
    switch (level_) {
      case Level::year:
      case Level::month:
      case Level::date:
      case Level::age_band: return date_level(in, ctx, out);
      case Level::region:
      case Level::province: {
        std::string province, city;
        if (!in.is_string() || !parse_region(in.as_string(), province, city)) return;
        if (level_ == Level::province) {
          out = province;
          return;
        }
        out = sdk::Value::object();
        out["province"] = province;
        if (!city.empty()) out["city"] = city;
        return;
      }
      case Level::amount_band: {
        if (!in.is_number()) return;
        double v = in.as_double();
        for (std::size_t i = 0; i + 1 < buckets_.size(); ++i)
          if (v >= buckets_[i] && v < buckets_[i + 1]) {
            out = fmt(buckets_[i]) + "-" + fmt(buckets_[i + 1]);
            return;
          }
        if (!buckets_.empty() && v >= buckets_.back()) out = fmt(buckets_.back()) + "+";
        return;
      }
    }
  }

 private:
  static std::string fmt(double d) {
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
  }
  void date_level(const sdk::Value& in, const RecordContext& ctx, sdk::Value& out) const {
    int y, m, d;
    if (!in.is_string() || !parse_date(in.as_string(), y, m, d)) return;
    const std::string& s = in.as_string();
    if (level_ == Level::year) out = static_cast<std::int64_t>(y);
    else if (level_ == Level::month) out = s.substr(0, 7);
    else if (level_ == Level::date) out = s.substr(0, 10);
    else {
      // Age at the event (or at ingestion), in 5-year bands; 90 and over collapsed.
      int ry, rm, rd;
      const sdk::Value* ref = ctx.record.find("occurred_at");
      if (!ref || !ref->is_string() || !parse_date(ref->as_string(), ry, rm, rd)) {
        ref = ctx.record.find("ingested_at");
        if (!ref || !ref->is_string() || !parse_date(ref->as_string(), ry, rm, rd)) return;
      }
      int age = ry - y - ((rm * 100 + rd) < (m * 100 + d) ? 1 : 0);
      if (age < 0) return;
      if (age >= 90) out = "90+";
      else out = std::to_string(age / 5 * 5) + "-" + std::to_string(age / 5 * 5 + 4);
    }
  }
  Level level_;
  std::vector<double> buckets_;
};

class ScrubMethod : public FieldMethod {
 public:
  void apply(const sdk::Value& in, const RecordContext& ctx, sdk::Value& out, FieldAction& action) const override {
    TextScrubber scrubber(ctx.record.find("subject"));
    ScrubCounts counts;
    out = scrub_value(in, scrubber, counts);
    for (const auto& [type, n] : counts.found) action.found.emplace_back(type, n);
  }

 private:
  static sdk::Value scrub_value(const sdk::Value& v, const TextScrubber& s, ScrubCounts& counts) {
    if (v.is_string()) return sdk::Value(s.scrub(v.as_string(), counts));
    if (v.is_array()) {
      sdk::Value::Array arr;
      for (const auto& e : v.as_array()) arr.push_back(scrub_value(e, s, counts));
      return sdk::Value(std::move(arr));
    }
    if (v.is_object()) {
      sdk::Value::Object obj;
      for (const auto& [k, e] : v.as_object()) obj.emplace_back(k, scrub_value(e, s, counts));
      return sdk::Value(std::move(obj));
    }
    return v;
  }
};

template <typename T>
MethodFactory simple(std::set<std::string> allowed = {}) {
  return [allowed](const config::PolicyRule& rule, const MethodEnv&, std::unique_ptr<FieldMethod>& out) {
    if (auto s = Params(rule, allowed).check_unknown(); !s.ok()) return s;
    out = std::make_unique<T>();
    return sdk::Status::Ok();
  };
}

sdk::Status make_token(const config::PolicyRule& rule, const MethodEnv& env, std::unique_ptr<FieldMethod>& out) {
  Params p(rule, {"key", "length"});
  std::string key;
  std::int64_t len;
  if (auto s = p.check_unknown(); !s.ok()) return s;
  if (auto s = p.string("key", env.default_key, key); !s.ok()) return s;
  if (auto s = p.integer("length", 32, 16, 64, len); !s.ok()) return s;
  const crypto::KeyedHasher* h = env.keys.hasher(key);
  if (!h) return sdk::Status::Invalid("method 'token' names key '" + key + "', which is not declared under keys:");
  out = std::make_unique<TokenMethod>(rule.field, *h, key, static_cast<std::size_t>(len));
  return sdk::Status::Ok();
}

sdk::Status make_mask(const config::PolicyRule& rule, const MethodEnv&, std::unique_ptr<FieldMethod>& out) {
  Params p(rule, {"keep_first", "keep_last"});
  std::int64_t first, last;
  if (auto s = p.check_unknown(); !s.ok()) return s;
  if (auto s = p.integer("keep_first", 1, 0, 8, first); !s.ok()) return s;
  if (auto s = p.integer("keep_last", 0, 0, 8, last); !s.ok()) return s;
  out = std::make_unique<MaskMethod>(static_cast<std::size_t>(first), static_cast<std::size_t>(last));
  return sdk::Status::Ok();
}

sdk::Status make_generalize(const config::PolicyRule& rule, const MethodEnv&, std::unique_ptr<FieldMethod>& out) {
  using L = GeneralizeMethod::Level;
  static const std::map<std::string, L> kLevels = {{"year", L::year},         {"age_band", L::age_band},
                                                   {"month", L::month},       {"date", L::date},
                                                   {"region", L::region},     {"province", L::province},
                                                   {"amount_band", L::amount_band}};
  Params p(rule, {"level", "buckets"});
  if (auto s = p.check_unknown(); !s.ok()) return s;
  std::string level;
  if (auto s = p.string("level", "", level); !s.ok()) return s;
  auto it = kLevels.find(level);
  if (it == kLevels.end())
    return sdk::Status::Invalid("method 'generalize' needs level: year, age_band, month, date, region, province "
                                "or amount_band");
  std::vector<double> buckets{0, 100, 500, 1000, 5000, 10000};
  if (const sdk::Value* b = p.raw("buckets")) {
    buckets.clear();
    if (!b->is_array()) return sdk::Status::Invalid("parameter 'buckets' must be a list of numbers");
    for (const auto& e : b->as_array()) {
      if (!e.is_number() || (!buckets.empty() && e.as_double() <= buckets.back()))
        return sdk::Status::Invalid("parameter 'buckets' must be increasing numbers");
      buckets.push_back(e.as_double());
    }
  }
  out = std::make_unique<GeneralizeMethod>(it->second, std::move(buckets));
  return sdk::Status::Ok();
}

}  // namespace

const MethodRegistry& MethodRegistry::builtin() {
  static const MethodRegistry registry = [] {
    MethodRegistry r;
    r.add("keep", simple<KeepMethod>());
    r.add("drop", simple<DropMethod>());
    r.add("scrub", simple<ScrubMethod>());
    r.add("token", make_token);
    r.add("mask", make_mask);
    r.add("generalize", make_generalize);
    return r;
  }();
  return registry;
}

const MethodFactory* MethodRegistry::find(const std::string& name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : &it->second;
}

std::vector<std::string> MethodRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, f] : factories_) out.push_back(name);
  return out;
}

}  // namespace medgate::pipeline
