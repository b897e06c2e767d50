// A target that misbehaves the way real destinations do, to prove a slow or
// unavailable target delays only itself. `mode`:
//   hang - deliver() does not return until the gateway stops (a peer that
//          accepted the connection and never answers);
//   down - every record is answered "retry later" (a peer that is down);
//   deaf - deliver() never returns, not even when asked to stop (a plugin
//          stuck in a blocking call without a timeout);
//   down_until - like down until the file `until_exists` exists, then every
//          record is delivered (a peer that comes back). Each call logs how
//          many records it was given.
// And a source whose run() never returns, not even when asked to stop.
#include <medgate/sdk/export.h>

#include <sys/stat.h>

#include <chrono>
#include <future>

namespace {
using namespace medgate::sdk;

class StallingTarget : public Target {
 public:
  StallingTarget(std::string mode, std::string until) : mode_(std::move(mode)), until_(std::move(until)) {}
  Status start(TargetContext& ctx) override {
    ctx_ = &ctx;
    return Status::Ok();
  }
  std::vector<Outcome> deliver(const std::vector<Delivery>& batch) override {
    if (mode_ == "deaf") {
      ctx_->log(LogLevel::info, "stalling: deaf, never returning");
      std::promise<void>().get_future().wait();
    }
    if (mode_ == "down_until") {
      struct stat st {};
      const bool up = ::stat(until_.c_str(), &st) == 0;
      ctx_->log(LogLevel::info, "stalling: given " + std::to_string(batch.size()) + " records while " +
                                    (up ? "up" : "down"));
      if (up) return std::vector<Outcome>(batch.size());
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
  std::string mode_, until_;
  TargetContext* ctx_ = nullptr;
};

class DeafSource : public Source {
 public:
  Status run(SourceContext& ctx) override {
    ctx.log(LogLevel::info, "stalling source: deaf, never returning");
    std::promise<void>().get_future().wait();
    return Status::Ok();
  }
};

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "stalling";
  d.version = "1.0.0";
  d.description = "test target that hangs or is down, and a source deaf to stop";
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = {{"mode", OptionType::string, "hang, down, deaf or down_until", Value("hang"), false},
                       {"until_exists", OptionType::path, "down_until: the file that brings it up", Value(""), false}};
  d.target->validate = [](const PluginConfig& c) -> Status {
    const std::string m = c.get_string("mode");
    return m == "hang" || m == "down" || m == "deaf" || m == "down_until"
               ? Status::Ok()
               : Status::Invalid("mode must be hang, down, deaf or down_until, not '" + m + "'");
  };
  d.target->create = [](const PluginConfig& c) -> std::unique_ptr<Target> {
    return std::make_unique<StallingTarget>(c.get_string("mode"), c.get_string("until_exists"));
  };
  d.source = std::make_unique<KindSpec<Source>>();
  d.source->create = [](const PluginConfig&) -> std::unique_ptr<Source> { return std::make_unique<DeafSource>(); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
