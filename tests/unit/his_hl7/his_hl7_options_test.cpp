// The his_hl7 source's options: what validate() refuses and what from()
// hands to the MLLP server.
#include <gtest/gtest.h>

#include "his_hl7_options.h"
#include "medgate/testkit/plugin_config.h"

namespace medgate::his_hl7 {
namespace {

using sdk::PluginConfig;
using sdk::Value;

PluginConfig config_with(const char* name, Value value) {
  Value v = Value::object();
  v["listen"] = "127.0.0.1:0";
  v[name] = std::move(value);
  return testkit::config_with_defaults(HisHl7Options::declare(), v);
}

TEST(HisHl7Options, HandlerThreadsReachTheServer) {
  EXPECT_EQ(HisHl7Options::from(config_with("handler_threads", Value(2))).server.handler_threads, 2u);
  EXPECT_EQ(HisHl7Options::from(config_with("max_connections", Value(8))).server.handler_threads,
            MllpServerOptions{}.handler_threads);  // the default when unset
}

TEST(HisHl7Options, HandlerThreadsOutsideOneTo64AreRefused) {
  for (int n : {1, 64}) EXPECT_TRUE(HisHl7Options::validate(config_with("handler_threads", Value(n))).ok()) << n;
  for (int n : {0, -1, 65}) {
    sdk::Status s = HisHl7Options::validate(config_with("handler_threads", Value(n)));
    EXPECT_FALSE(s.ok()) << n;
    EXPECT_EQ(s.message(), "handler_threads must be between 1 and 64") << n;
  }
}

TEST(HisHl7Options, MaxConnectionsOutsideOneTo4096AreRefused) {
  EXPECT_TRUE(HisHl7Options::validate(config_with("max_connections", Value(4096))).ok());
  sdk::Status s = HisHl7Options::validate(config_with("max_connections", Value(0)));
  EXPECT_EQ(s.message(), "max_connections must be between 1 and 4096");
}

}  // namespace
}  // namespace medgate::his_hl7
