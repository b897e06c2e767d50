// generalize: replaces a value by a coarser one. Dates and timestamps ->
// year, month (YYYY-MM) or date (YYYY-MM-DD); birth dates -> 5-year age band
// at the event (90 and over collapsed into "90+"); mainland addresses ->
// province and city, nothing below; amounts -> buckets ("100-500", "10000+").
#include <charconv>
#include <map>

#include "pipeline/methods/builtin_methods.h"
#include "pipeline/methods/civil_date.h"
#include "pipeline/methods/method_params.h"

namespace medgate::pipeline::methods {
namespace {

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
  // "州" inside a city's own name (杭州市, 广州市) is not the suffix: take the "市" after it.
  if (best != std::string_view::npos && rest.substr(best + best_len, 3) == "市") best_len += 3;
  if (best != std::string_view::npos) city = std::string(rest.substr(0, best + best_len));
  return true;
}

std::string format_number(double d) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

class GeneralizeMethod : public FieldMethod {
 public:
  enum class Level { year, age_band, month, date, region, province, amount_band };
  GeneralizeMethod(Level level, std::vector<double> buckets) : level_(level), buckets_(std::move(buckets)) {}

  void apply(const sdk::Value& in, const RecordContext& ctx, sdk::Value& out, FieldAction&) const override {
    switch (level_) {
      case Level::year:
      case Level::month:
      case Level::date: return date_level(in, out);
      case Level::age_band: return age_band(in, ctx, out);
      case Level::region:
      case Level::province: return region(in, out);
      case Level::amount_band: return amount_band(in, out);
    }
  }

 private:
  void date_level(const sdk::Value& in, sdk::Value& out) const {
    if (!in.is_string()) return;
    auto ymd = leading_date(in.as_string());
    if (!ymd) return;
    const std::string& s = in.as_string();
    if (level_ == Level::year) out = static_cast<std::int64_t>(static_cast<int>(ymd->year()));
    else if (level_ == Level::month) out = s.substr(0, 7);
    else out = s.substr(0, 10);
  }

  // Age at the event (else at ingestion) in 5-year bands; 90 and over collapsed.
  static void age_band(const sdk::Value& in, const RecordContext& ctx, sdk::Value& out) {
    if (!in.is_string()) return;
    auto birth = leading_date(in.as_string());
    if (!birth) return;
    std::optional<std::chrono::year_month_day> at;
    for (const char* key : {"occurred_at", "ingested_at"}) {
      const sdk::Value* ref = ctx.record.find(key);
      if (ref && ref->is_string() && (at = leading_date(ref->as_string()))) break;
    }
    if (!at) return;
    int age = age_on(*birth, *at);
    if (age < 0) return;
    if (age >= 90) out = "90+";
    else out = std::to_string(age / 5 * 5) + "-" + std::to_string(age / 5 * 5 + 4);
  }

  void region(const sdk::Value& in, sdk::Value& out) const {
    std::string province, city;
    if (!in.is_string() || !parse_region(in.as_string(), province, city)) return;
    if (level_ == Level::province) {
      out = province;
      return;
    }
    out = sdk::Value::object();
    out["province"] = province;
    if (!city.empty()) out["city"] = city;
  }

  void amount_band(const sdk::Value& in, sdk::Value& out) const {
    if (!in.is_number()) return;
    double v = in.as_double();
    for (std::size_t i = 0; i + 1 < buckets_.size(); ++i)
      if (v >= buckets_[i] && v < buckets_[i + 1]) {
        out = format_number(buckets_[i]) + "-" + format_number(buckets_[i + 1]);
        return;
      }
    if (!buckets_.empty() && v >= buckets_.back()) out = format_number(buckets_.back()) + "+";
  }

  Level level_;
  std::vector<double> buckets_;
};
}  // namespace

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
    if (it->second != L::amount_band) return sdk::Status::Invalid("parameter 'buckets' applies to level amount_band only");
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

}  // namespace medgate::pipeline::methods
