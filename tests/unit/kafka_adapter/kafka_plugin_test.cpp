// Loads the built kafka.so the way the host does (Boost.DLL aliases) and
// checks its definition: a target only, its options, validate and create.
#include <gtest/gtest.h>

#include "medgate/testkit/plugin_config.h"
#include "medgate/testkit/plugin_library.h"

namespace {
using namespace medgate::sdk;

const PluginDefinition& definition() { return medgate::testkit::load_plugin_definition(KAFKA_PLUGIN_PATH); }

using medgate::testkit::config_with_defaults;

TEST(KafkaPlugin, DefinitionValidateCreate) {
  const PluginDefinition& d = definition();
  EXPECT_EQ(d.name, "kafka");
  EXPECT_EQ(d.version, "1.0.0");
  EXPECT_FALSE(d.source);
  ASSERT_TRUE(d.target);
  ASSERT_GE(d.target->options.size(), 2u);
  EXPECT_EQ(d.target->options[0].name, "brokers");
  EXPECT_EQ(d.target->options[1].name, "topic");

  Value good = Value::object();
  good["brokers"] = "127.0.0.1:9";
  good["topic"] = "events";
  Status ok = d.target->validate(config_with_defaults(d.target->options, good));
  EXPECT_TRUE(ok.ok()) << ok.message();
  EXPECT_TRUE(d.target->create(config_with_defaults(d.target->options, good)));

  Value bad = good;
  bad["properties"] = Value(Value::Array{Value("acks=0")});
  Status refused = d.target->validate(config_with_defaults(d.target->options, bad));
  EXPECT_EQ(refused.code(), StatusCode::invalid_argument);
  EXPECT_NE(refused.message().find("acks"), std::string::npos) << refused.message();
}

}  // namespace
