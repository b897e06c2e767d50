// A target that refuses some records for good, to exercise the dead-letter
// queue: a record whose payload contains `reject_containing` is rejected,
// unless the file `accept_when_exists` exists (the receiver was fixed).
// Delivered records' idempotency keys are appended to `out`, one per line.
// Each rejection is counted as the plugin event `refused_422` (/metrics).
#include <medgate/sdk/event_counter.h>
#include <medgate/sdk/export.h>

#include <sys/stat.h>

#include <fstream>

namespace {
using namespace medgate::sdk;

class PickyTarget : public Target {
 public:
  explicit PickyTarget(const PluginConfig& c)
      : marker_(c.get_string("reject_containing")), fixed_(c.get_string("accept_when_exists")), out_(c.get_string("out")) {}

  Status start(TargetContext& ctx) override {
    events_ = event_counter(ctx);
    return Status::Ok();
  }

  std::vector<Outcome> deliver(const std::vector<Delivery>& batch) override {
    struct stat st {};
    const bool fixed = !fixed_.empty() && ::stat(fixed_.c_str(), &st) == 0;
    std::vector<Outcome> outcomes(batch.size());
    std::ofstream out(out_, std::ios::app);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!fixed && batch[i].payload.find(marker_) != std::string::npos) {
        outcomes[i].kind = Outcome::Kind::rejected;
        outcomes[i].reason = "picky target: HTTP 422 field 'feedback' refused by the receiver";
        if (events_) (void)events_->count("refused_422", 1);
        continue;
      }
      out << batch[i].idempotency_key << "\n";
    }
    out.flush();
    if (!out) return std::vector<Outcome>(batch.size(), Outcome{Outcome::Kind::retry, "cannot write " + out_});
    return outcomes;
  }

 private:
  std::string marker_, fixed_, out_;
  EventCounter* events_ = nullptr;
};

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "picky";
  d.version = "1.0.0";
  d.description = "test target that rejects records containing a marker";
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = {
      {"reject_containing", OptionType::string, "reject payloads containing this", Value(), true},
      {"accept_when_exists", OptionType::path, "accept everything once this file exists", Value(""), false},
      {"out", OptionType::path, "file of delivered idempotency keys", Value(), true},
  };
  d.target->create = [](const PluginConfig& c) -> std::unique_ptr<Target> { return std::make_unique<PickyTarget>(c); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
