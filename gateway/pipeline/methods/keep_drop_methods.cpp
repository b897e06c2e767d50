// keep: the value unchanged. drop: nothing; the rule documents and audits the decision.
#include "pipeline/methods/builtin_methods.h"
#include "pipeline/methods/method_params.h"

namespace medgate::pipeline::methods {
namespace {
class KeepMethod : public FieldMethod {
 public:
  void apply(const sdk::Value& in, const RecordContext&, sdk::Value& out, FieldAction&) const override { out = in; }
  bool passes_input_through() const override { return true; }
};

class DropMethod : public FieldMethod {
 public:
  void apply(const sdk::Value&, const RecordContext&, sdk::Value&, FieldAction&) const override {}
};
}  // namespace

sdk::Status make_keep(const config::PolicyRule& rule, const MethodEnv&, std::unique_ptr<FieldMethod>& out) {
  if (auto s = Params(rule, {}).check_unknown(); !s.ok()) return s;
  out = std::make_unique<KeepMethod>();
  return sdk::Status::Ok();
}

sdk::Status make_drop(const config::PolicyRule& rule, const MethodEnv&, std::unique_ptr<FieldMethod>& out) {
  if (auto s = Params(rule, {}).check_unknown(); !s.ok()) return s;
  out = std::make_unique<DropMethod>();
  return sdk::Status::Ok();
}

}  // namespace medgate::pipeline::methods
