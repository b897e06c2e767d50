// Loads the built http.so the way the host does (Boost.DLL aliases) and
// checks its definition: a target only, its declared options, its hooks.
#include <gtest/gtest.h>

#include "../temp_dir.h"
#include "medgate/testkit/plugin_config.h"
#include "medgate/testkit/plugin_library.h"

namespace {
using namespace medgate::sdk;

TEST(HttpPlugin, DefinitionDeclaresATargetWithItsOptions) {
  const PluginDefinition* d = &medgate::testkit::load_plugin_definition(HTTP_PLUGIN_PATH);
  EXPECT_EQ(d->name, "http");
  EXPECT_EQ(d->version, "1.0.0");
  EXPECT_FALSE(d->source);
  ASSERT_TRUE(d->target);
  std::vector<std::string> names;
  for (const Option& o : d->target->options) names.push_back(o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"url", "secret_file", "timeout", "ca_file", "verify_tls", "headers",
                                             "bearer_token_file", "max_body"}));

  medgate::testing::TempDir dir;
  medgate::testing::write_file(dir / "secret", "k\n");
  Value v = Value::object();
  v["url"] = "http://127.0.0.1:9/in";
  v["secret_file"] = dir / "secret";
  PluginConfig ok = medgate::testkit::config_with_defaults(d->target->options, v);
  EXPECT_TRUE(d->target->validate(ok).ok());
  EXPECT_NE(d->target->create(ok), nullptr);
  v["headers"] = Value(Value::Array{Value("Authorization: Basic eA==")});
  EXPECT_FALSE(d->target->validate(medgate::testkit::config_with_defaults(d->target->options, v)).ok());
}

}  // namespace
