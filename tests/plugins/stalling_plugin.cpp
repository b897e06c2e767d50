// A target that misbehaves the way real destinations do, to prove a slow or
// unavailable target delays only itself. `mode`:
//   hang - deliver() does not return until the gateway stops (a peer that
//          accepted the connection and never answers);
//   down - every record is answered "retry later" (a peer that is down);
//   deaf - deliver() never returns, not even when asked to stop (a plugin
//          stuck in a blocking call without a timeout).
#include <medgate/sdk/export.h>

#include <chrono>
#include <future>

namespace {
using namespace medgate::sdk;

class StallingTarget : public Target {
 public:
  explicit StallingTarget(std::string mode) : mode_(std::move(mode)) {}
  Status start(TargetContext& ctx) override {
    ctx_ = &ctx;
    return Status::Ok();
  }
  std::vector<Outcome> deliver(const std::vector<Delivery>& batch) override {
    if (mode_ == "deaf") {
      ctx_->log(LogLevel::info, "stalling: deaf, never returning");
      std::promise<void>().get_future().wait();
    }
    if (mode_ == "hang") {
      ctx_->log(LogLevel::info, "stalling: holding a batch of " + std::to_string(batch.size()) + " until stop");
      while (!ctx_->wait_for_stop(std::chrono::seconds(1))) {
      }
    }
    Outcome retry;
    retry.kind = Outcome::Kind::retry;
    retry.reason = mode_ == "hang" ? "stalling target: stopped while holding the batch" : "stalling target: down";
    return std::vector<Outcome>(batch.size(), retry);
  }

 private:
  std::string mode_;
  TargetContext* ctx_ = nullptr;
};

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "stalling";
  d.version = "1.0.0";
  d.description = "test target that hangs or is down";
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = {{"mode", OptionType::string, "hang, down or deaf", Value("hang"), false}};
  d.target->validate = [](const PluginConfig& c) -> Status {
    const std::string m = c.get_string("mode");
    return m == "hang" || m == "down" || m == "deaf" ? Status::Ok()
                                                     : Status::Invalid("mode must be hang, down or deaf, not '" + m + "'");
  };
  d.target->create = [](const PluginConfig& c) -> std::unique_ptr<Target> {
    return std::make_unique<StallingTarget>(c.get_string("mode"));
  };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
