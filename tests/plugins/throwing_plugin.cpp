// A plugin whose every kind throws from the call named by its `throw_in`
// option, to prove the host survives: create, run (source), start, deliver.
#include <medgate/sdk/export.h>

#include <stdexcept>

namespace {
using namespace medgate::sdk;

class ThrowingSource : public Source {
 public:
  explicit ThrowingSource(std::string where) : where_(std::move(where)) {}
  Status run(SourceContext& ctx) override {
    if (where_ == "run") throw std::runtime_error("deliberate failure in run");
    ctx.wait_for_stop(std::chrono::hours(1));
    return Status::Ok();
  }

 private:
  std::string where_;
};

class ThrowingTarget : public Target {
 public:
  explicit ThrowingTarget(std::string where) : where_(std::move(where)) {}
  Status start(TargetContext&) override {
    if (where_ == "start") throw std::logic_error("deliberate failure in start");
    return Status::Ok();
  }
  std::vector<Outcome> deliver(const std::vector<Delivery>& batch) override {
    if (where_ == "deliver") throw 42;  // not even a std::exception
    return std::vector<Outcome>(batch.size());
  }

 private:
  std::string where_;
};

OptionList options() {
  return {{"throw_in", OptionType::string, "create, run, start or deliver", Value("run"), false}};
}

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "throwing";
  d.version = "1.0.0";
  d.description = "test plugin that throws";
  d.source = std::make_unique<KindSpec<Source>>();
  d.source->options = options();
  d.source->create = [](const PluginConfig& c) -> std::unique_ptr<Source> {
    if (c.get_string("throw_in") == "create") throw std::runtime_error("deliberate failure in create");
    return std::make_unique<ThrowingSource>(c.get_string("throw_in"));
  };
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = options();
  d.target->create = [](const PluginConfig& c) -> std::unique_ptr<Target> {
    if (c.get_string("throw_in") == "create") throw std::runtime_error("deliberate failure in create");
    return std::make_unique<ThrowingTarget>(c.get_string("throw_in"));
  };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
