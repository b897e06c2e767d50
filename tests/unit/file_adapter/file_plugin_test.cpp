// Loads the built file.so the way the host does (Boost.DLL aliases) and
// checks its definition: name, version, declared options, validate hooks.
#include <gtest/gtest.h>

#include "medgate/testkit/plugin_config.h"
#include "medgate/testkit/plugin_library.h"

namespace {
using namespace medgate::sdk;

class FilePlugin : public ::testing::Test {
 protected:
  static const PluginDefinition& definition() { return medgate::testkit::load_plugin_definition(FILE_PLUGIN_PATH); }
  static PluginConfig config_with(const OptionList& options, const Value& values) {
    return medgate::testkit::config_with_defaults(options, values);
  }
};

std::vector<std::string> names(const OptionList& options) {
  std::vector<std::string> out;
  for (const Option& o : options) out.push_back(o.name);
  return out;
}

TEST_F(FilePlugin, Definition) {
  const PluginDefinition& d = definition();
  EXPECT_EQ(d.name, "file");
  EXPECT_EQ(d.version, "1.0.0");
  ASSERT_TRUE(d.source);
  ASSERT_TRUE(d.target);
  EXPECT_EQ(names(d.source->options),
            (std::vector<std::string>{"path", "poll_interval", "batch_max", "max_line_bytes", "format"}));
  EXPECT_EQ(names(d.target->options),
            (std::vector<std::string>{"path", "prefix", "rotate_bytes", "rotate_interval", "fsync"}));
  EXPECT_TRUE(d.source->options[0].required);
  EXPECT_EQ(d.source->options[1].type, OptionType::duration);
  EXPECT_EQ(d.source->options[3].type, OptionType::size);
  EXPECT_EQ(d.source->options[3].default_value, Value(1 << 20));
  EXPECT_EQ(d.target->options[2].default_value, Value(std::int64_t{64} << 20));
  EXPECT_EQ(d.target->options[3].default_value, Value(std::int64_t{3600000}));
}

TEST_F(FilePlugin, SourceValidation) {
  const KindSpec<Source>& s = *definition().source;
  Value base = Value::object();
  base["path"] = "/tmp/in";
  EXPECT_TRUE(s.validate(config_with(s.options, base)).ok());
  auto invalid = [&](const char* key, Value v) {
    Value c = base;
    c[key] = std::move(v);
    Status st = s.validate(config_with(s.options, c));
    EXPECT_EQ(st.code(), StatusCode::invalid_argument) << key;
    EXPECT_NE(st.message().find(key), std::string::npos) << st.message();
  };
  invalid("batch_max", Value(0));
  invalid("max_line_bytes", Value(1023));
  invalid("format", Value("csv"));
  EXPECT_TRUE(s.create(config_with(s.options, base)));
}

TEST_F(FilePlugin, TargetValidation) {
  const KindSpec<Target>& t = *definition().target;
  Value base = Value::object();
  base["path"] = "/tmp/out";
  EXPECT_TRUE(t.validate(config_with(t.options, base)).ok());
  Value c = base;
  c["prefix"] = "a/b";
  EXPECT_FALSE(t.validate(config_with(t.options, c)).ok());
  c = base;
  c["rotate_bytes"] = 0;
  EXPECT_FALSE(t.validate(config_with(t.options, c)).ok());
  EXPECT_TRUE(t.create(config_with(t.options, base)));
}

}  // namespace
