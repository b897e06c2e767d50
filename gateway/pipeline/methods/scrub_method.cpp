// scrub: every string in the value (a text, a list, an object such as a note)
// with personal data replaced by typed placeholders (see text_scrubber.h);
// the counts per type go to the audit entry, never what was found.
#include "pipeline/methods/builtin_methods.h"
#include "pipeline/methods/method_params.h"
#include "pipeline/scrub/text_scrubber.h"

namespace medgate::pipeline::methods {
namespace {
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
}  // namespace

sdk::Status make_scrub(const config::PolicyRule& rule, const MethodEnv&, std::unique_ptr<FieldMethod>& out) {
  if (auto s = Params(rule, {}).check_unknown(); !s.ok()) return s;
  out = std::make_unique<ScrubMethod>();
  return sdk::Status::Ok();
}

}  // namespace medgate::pipeline::methods
