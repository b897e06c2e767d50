// Loads the built file.so the way the host does (Boost.DLL aliases) and
// checks its definition: name, version, declared options, validate hooks.
#include <gtest/gtest.h>

#include <boost/dll/shared_library.hpp>

#include "medgate/sdk/export.h"

namespace {
using namespace medgate::sdk;

class FilePlugin : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    library_ = new boost::dll::shared_library(FILE_PLUGIN_PATH, boost::dll::load_mode::rtld_local);
  }
  // The library stays loaded: objects from it may outlive a test.
  static const PluginDefinition& definition() {
    auto abi = library_->get_alias<detail::AbiFn>("medgate_plugin_abi");
    EXPECT_STREQ(abi()->build_id, MEDGATE_SDK_BUILD_ID);
    auto define = library_->get_alias<detail::DefinitionFn>("medgate_plugin_definition");
    std::string error;
    const PluginDefinition* d = define(&error);
    EXPECT_NE(d, nullptr) << error;
    return *d;
  }
  static PluginConfig config_with(const OptionList& options, Value overrides) {
    Value v = Value::object();
    for (const Option& o : options)
      if (!o.default_value.is_null()) v[o.name] = o.default_value;
    for (auto& [k, val] : overrides.as_object()) v[k] = val;
    return PluginConfig(std::move(v));
  }
  static boost::dll::shared_library* library_;
};
boost::dll::shared_library* FilePlugin::library_ = nullptr;

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
