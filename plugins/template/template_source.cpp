// A minimal medgate source plugin to copy and adapt. It emits `count`
// synthetic registration records, one batch every `interval`, and shows the
// parts every source has: declared options (validated by the host before the
// plugin sees them), a validate hook, a run() loop that stops when asked,
// emitting batches and acknowledging its own input only when emit() succeeds,
// and counters of its own in the host's /metrics.
//
// For a target, implement medgate::sdk::Target (deliver() returns one Outcome
// per record) and set `definition.target`; see adapters/file in the medgate
// source tree.
#include <medgate/sdk/event_counter.h>
#include <medgate/sdk/export.h>
#include <medgate/sdk/plugin.h>

#include <string>

namespace {
using namespace medgate::sdk;

class TemplateSource : public Source {
 public:
  explicit TemplateSource(const PluginConfig& config)
      : count_(config.get_int("count")),
        batch_(config.get_int("batch")),
        interval_(config.get_int("interval")),
        prefix_(config.get_string("id_prefix")) {}

  Status run(SourceContext& ctx) override {
    // Shown in /metrics as medgate_source_plugin_events_total{source=...,event=...};
    // null with a host older than SDK 1.5.
    EventCounter* events = event_counter(ctx);
    while (!ctx.stopping() && next_ < count_) {
      std::vector<Record> records;
      for (std::int64_t i = 0; i < batch_ && next_ + i < count_; ++i) records.push_back(make_record(next_ + i));
      std::size_t n = records.size();
      EmitResult r = ctx.emit(std::move(records));
      if (!r.status.ok()) {
        // Not durable: keep our position and try again later.
        ctx.log(LogLevel::warning, "batch refused: " + r.status.message());
        if (events) (void)events->count("batches_refused", 1);  // a fixed word, never record data
        if (ctx.wait_for_stop(std::chrono::milliseconds(interval_))) break;
        continue;
      }
      next_ += static_cast<std::int64_t>(n);  // acknowledged: advance
      if (ctx.wait_for_stop(std::chrono::milliseconds(interval_))) break;
    }
    while (!ctx.wait_for_stop(std::chrono::seconds(1))) {
    }
    return Status::Ok();
  }

 private:
  Record make_record(std::int64_t n) const {
    Value body = Value::object();
    body["source_record_id"] = prefix_ + std::to_string(n);
    body["event_type"] = "registration";
    body["occurred_at"] = "2026-01-01T08:00:00+08:00";
    body["subject"]["mrn"] = "TPL" + std::to_string(100000 + n);
    body["patient"]["gender"] = n % 2 ? "female" : "male";
    return Record{std::move(body)};
  }

  std::int64_t count_, batch_, interval_;
  std::string prefix_;
  std::int64_t next_ = 0;
};

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "template";
  d.version = "0.1.0";
  d.description = "Example source: emits synthetic registration records";
  d.source = std::make_unique<KindSpec<Source>>();
  d.source->options = {
      {"count", OptionType::integer, "how many records to emit in all", Value(10), false},
      {"batch", OptionType::integer, "records per emitted batch", Value(5), false},
      {"interval", OptionType::duration, "pause between batches", Value(100), false},
      {"id_prefix", OptionType::string, "prefix of source_record_id", Value("TPL-"), false},
  };
  d.source->validate = [](const PluginConfig& c) {
    if (c.get_int("count") < 0) return Status::Invalid("count must not be negative");
    if (c.get_int("batch") < 1) return Status::Invalid("batch must be at least 1");
    return Status::Ok();
  };
  d.source->create = [](const PluginConfig& c) { return std::make_unique<TemplateSource>(c); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
