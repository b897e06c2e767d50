// Tests the template source without a daemon, using the SDK's test kit: the
// built plugin is loaded as the host loads it, a source is created from its
// declared defaults plus the test's values, and run() talks to a fake host
// that records what was emitted and can refuse a batch as a full spool does.
// Copy and adapt it with the plugin; `ctest --test-dir build` runs it.
#include <medgate/testkit/fake_source_context.h>
#include <medgate/testkit/plugin_config.h>
#include <medgate/testkit/plugin_library.h>

#include <cstdio>
#include <string>
#include <thread>

namespace {
using namespace medgate::sdk;
using medgate::testkit::FakeSourceContext;

int failures = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what.c_str());
  if (!ok) ++failures;
}

}  // namespace

int main() {
  const PluginDefinition& d = medgate::testkit::load_plugin_definition(MEDGATE_PLUGIN_PATH);
  check(d.name == "template" && d.source && !d.target, "the plugin defines one source named template");
  const OptionList& options = d.source->options;

  Value bad = Value::object();
  bad["batch"] = 0;
  check(!d.source->validate(medgate::testkit::config_with_defaults(options, bad)).ok(), "validate refuses batch 0");

  Value values = Value::object();
  values["count"] = 12;
  values["batch"] = 5;
  values["interval"] = 1;  // milliseconds
  PluginConfig config = medgate::testkit::config_with_defaults(options, values);
  check(d.source->validate(config).ok(), "validate accepts the test config");

  FakeSourceContext ctx("/nonexistent");
  ctx.refuse_emit_call(2);  // the second batch finds the spool full
  auto source = d.source->create(config);
  Status status;
  std::thread runner([&] { status = source->run(ctx); });
  bool all = ctx.wait_until([](const FakeSourceContext& c) { return c.emitted().size() >= 12; });
  ctx.request_stop();
  runner.join();

  check(all, "all 12 records emitted");
  check(status.ok(), "run() returns ok when asked to stop");
  std::vector<std::string> want;
  for (int i = 0; i < 12; ++i) want.push_back("TPL-" + std::to_string(i));
  check(ctx.ids() == want, "each record once, in order, although a batch was refused");
  check(ctx.emit_calls() == 4, "the refused batch was offered again (4 emit calls)");
  check(ctx.event_count("batches_refused") == 1, "the refused batch was counted for /metrics");
  return failures == 0 ? 0 : 1;
}
