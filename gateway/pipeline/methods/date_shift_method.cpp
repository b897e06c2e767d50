// date_shift: moves dates and timestamps by a per-patient offset of 1..N days
// back or forward, derived from the patient token with a key:
//   offset = f(HMAC-SHA256(key, "medgate.date_shift" 0x1f patient.token))
// so every record of one patient moves by the same amount (intervals between
// visits survive) while different patients move differently. Time of day and
// UTC offset are kept. Without a patient token nothing is written (fail closed).
#include <cstring>

#include "crypto/keyed_hash.h"
#include "pipeline/methods/builtin_methods.h"
#include "pipeline/methods/civil_date.h"
#include "pipeline/methods/method_params.h"

namespace medgate::pipeline::methods {
namespace {
class DateShiftMethod : public FieldMethod {
 public:
  DateShiftMethod(const crypto::KeyedHasher& h, std::string key_id, int max_days)
      : hasher_(h), key_id_(std::move(key_id)), max_days_(max_days) {}

  void apply(const sdk::Value& in, const RecordContext& ctx, sdk::Value& out, FieldAction&) const override {
    const sdk::Value* token = ctx.record.at_path("patient.token");
    if (!token || !token->is_string() || token->as_string().empty()) return;
    int offset = offset_for(token->as_string());
    if (in.is_array()) {
      sdk::Value::Array arr;
      for (const auto& e : in.as_array())
        if (e.is_string() && leading_date(e.as_string())) arr.emplace_back(shift_leading_date(e.as_string(), offset));
      out = sdk::Value(std::move(arr));
      return;
    }
    if (in.is_string() && leading_date(in.as_string())) out = shift_leading_date(in.as_string(), offset);
  }
  const std::string* key_id() const override { return &key_id_; }

  // Uniform over [-N, -1] and [1, N]: never 0, which would leave the dates as they were.
  int offset_for(const std::string& patient_token) const {
    std::string hex = hasher_.token("medgate.date_shift", patient_token, 16);
    std::uint64_t v = std::stoull(hex, nullptr, 16);
    int k = static_cast<int>(v % (2 * static_cast<std::uint64_t>(max_days_)));
    return k < max_days_ ? k - max_days_ : k - max_days_ + 1;
  }

 private:
  const crypto::KeyedHasher& hasher_;
  std::string key_id_;
  int max_days_;
};
}  // namespace

sdk::Status make_date_shift(const config::PolicyRule& rule, const MethodEnv& env, std::unique_ptr<FieldMethod>& out) {
  Params p(rule, {"key", "days"});
  std::string key;
  std::int64_t days;
  if (auto s = p.check_unknown(); !s.ok()) return s;
  if (auto s = p.required_integer("days", 1, 3650, days); !s.ok()) return s;
  if (auto s = active_key(rule, env, key); !s.ok()) return s;
  out = std::make_unique<DateShiftMethod>(*env.keys.hasher(key), key, static_cast<int>(days));
  return sdk::Status::Ok();
}

}  // namespace medgate::pipeline::methods
