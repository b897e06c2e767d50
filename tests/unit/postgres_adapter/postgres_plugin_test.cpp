// Loads the built postgres.so the way the host does (Boost.DLL aliases) and
// checks its definition: a target only, its declared options, its hooks.
#include <gtest/gtest.h>

#include "medgate/testkit/plugin_library.h"
#include "test_support.h"

namespace {
using namespace medgate::sdk;

TEST(PostgresPlugin, DefinitionDeclaresATargetWithItsOptions) {
  const PluginDefinition* d = &medgate::testkit::load_plugin_definition(POSTGRES_PLUGIN_PATH);
  EXPECT_EQ(d->name, "postgres");
  EXPECT_EQ(d->version, "1.0.0");
  EXPECT_FALSE(d->source);
  ASSERT_TRUE(d->target);
  ASSERT_EQ(d->target->options.size(), 11u);
  EXPECT_EQ(d->target->options[0].name, "host");

  Value v = Value::object();
  v["dbname"] = "analytics";
  v["user"] = "medgate";
  PluginConfig ok = medgate::testkit::config_with_defaults(d->target->options, v);
  EXPECT_TRUE(d->target->validate(ok).ok());
  EXPECT_NE(d->target->create(ok), nullptr);  // creating connects nothing yet
  v["table"] = "records; drop table x";
  EXPECT_FALSE(d->target->validate(medgate::testkit::config_with_defaults(d->target->options, v)).ok());
}

}  // namespace
