#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "medgate/sdk/version.h"
#include "plugin_host/boundary_guard.h"
#include "plugin_host/plugin_library.h"
#include "plugin_host/plugin_registry.h"

namespace medgate::plugin_host {
namespace {

std::string test_plugin(const char* name) { return std::string(TEST_PLUGIN_DIR) + "/" + name + ".so"; }

bool is_mapped(const std::string& path) {
  std::ifstream maps("/proc/self/maps");
  std::stringstream all;
  all << maps.rdbuf();
  return all.str().find(path) != std::string::npos;
}

sdk::PluginConfig throw_in(const char* where) {
  sdk::Value v = sdk::Value::object();
  v["throw_in"] = where;
  return sdk::PluginConfig(v);
}

TEST(PluginLibrary, RefusesAnotherSdkMajorVersionNamingBoth) {
  auto r = PluginLibrary::load(test_plugin("sdk_major_2_plugin"));
  ASSERT_EQ(r.library, nullptr);
  EXPECT_NE(r.error.find("built for medgate SDK 2.0"), std::string::npos) << r.error;
  const std::string host = "provides SDK " + std::to_string(MEDGATE_SDK_VERSION_MAJOR) + "." +
                           std::to_string(MEDGATE_SDK_VERSION_MINOR);
  EXPECT_NE(r.error.find(host), std::string::npos) << r.error;
}

TEST(PluginLibrary, RefusesAnotherBuildIdentityNamingBoth) {
  auto r = PluginLibrary::load(test_plugin("foreign_build_plugin"));
  ASSERT_EQ(r.library, nullptr);
  EXPECT_NE(r.error.find("cxxabi-1002;libstdc++-9-cxx11abi0;boost-106700"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find(MEDGATE_SDK_BUILD_ID), std::string::npos) << r.error;
}

TEST(PluginLibrary, RefusesALibraryWithoutEntryPoints) {
  auto r = PluginLibrary::load(test_plugin("no_entry_plugin"));
  ASSERT_EQ(r.library, nullptr);
  EXPECT_NE(r.error.find("is not a medgate plugin"), std::string::npos) << r.error;
}

TEST(PluginLibrary, ReportsAMissingFile) {
  auto r = PluginLibrary::load(test_plugin("does_not_exist"));
  ASSERT_EQ(r.library, nullptr);
  EXPECT_NE(r.error.find("cannot load"), std::string::npos) << r.error;
}

TEST(PluginLibrary, LoadsTheBundledFilePlugin) {
  auto r = PluginLibrary::load(std::string(BUNDLED_PLUGIN_DIR) + "/file.so");
  ASSERT_NE(r.library, nullptr) << r.error;
  EXPECT_EQ(r.library->name(), "file");
  EXPECT_TRUE(r.library->definition().source);
  EXPECT_TRUE(r.library->definition().target);
  EXPECT_EQ(r.library->sdk_major(), MEDGATE_SDK_VERSION_MAJOR);
}

TEST(BoundaryGuard, ExceptionFromFactoryBecomesStatus) {
  auto r = PluginLibrary::load(test_plugin("throwing_plugin"));
  ASSERT_NE(r.library, nullptr) << r.error;
  std::shared_ptr<sdk::Source> source;
  sdk::Status s = r.library->create_source(throw_in("create"), source);
  EXPECT_EQ(s.code(), sdk::StatusCode::internal);
  EXPECT_NE(s.message().find("plugin 'throwing' threw from create: deliberate failure in create"), std::string::npos)
      << s.message();
  EXPECT_EQ(source, nullptr);
}

class NullSourceContext : public sdk::SourceContext {
 public:
  sdk::EmitResult emit(std::vector<sdk::Record>) override { return {}; }
  sdk::Status quarantine(std::string_view, std::string_view) override { return {}; }
  void log(sdk::LogLevel, std::string_view) override {}
  const std::string& instance_name() const override { return name_; }
  const std::string& state_dir() const override { return name_; }
  bool stopping() const override { return true; }
  bool wait_for_stop(std::chrono::milliseconds) override { return true; }

 private:
  std::string name_ = "test";
};

TEST(BoundaryGuard, ExceptionFromRunBecomesStatus) {
  auto r = PluginLibrary::load(test_plugin("throwing_plugin"));
  ASSERT_NE(r.library, nullptr) << r.error;
  std::shared_ptr<sdk::Source> source;
  ASSERT_TRUE(r.library->create_source(throw_in("run"), source).ok());
  NullSourceContext ctx;
  sdk::Status s = guarded("throwing", "Source::run", [&] { return source->run(ctx); });
  EXPECT_EQ(s.code(), sdk::StatusCode::internal);
  EXPECT_NE(s.message().find("deliberate failure in run"), std::string::npos) << s.message();
}

TEST(BoundaryGuard, NonStandardExceptionFromDeliverBecomesStatus) {
  auto r = PluginLibrary::load(test_plugin("throwing_plugin"));
  ASSERT_NE(r.library, nullptr) << r.error;
  std::shared_ptr<sdk::Target> target;
  ASSERT_TRUE(r.library->create_target(throw_in("deliver"), target).ok());
  std::vector<sdk::Outcome> outcomes;
  sdk::Status s = guarded("throwing", "Target::deliver", [&] { outcomes = target->deliver({{"k", "p", "{}"}}); });
  EXPECT_EQ(s.code(), sdk::StatusCode::internal);
  EXPECT_NE(s.message().find("non-standard exception from Target::deliver"), std::string::npos) << s.message();
}

TEST(PluginLibrary, StaysLoadedWhileAnObjectFromItLives) {
  const std::string path = test_plugin("throwing_plugin");
  ASSERT_FALSE(is_mapped(path));
  std::shared_ptr<sdk::Target> target;
  {
    auto r = PluginLibrary::load(path);
    ASSERT_NE(r.library, nullptr) << r.error;
    ASSERT_TRUE(r.library->create_target(throw_in("never"), target).ok());
  }  // the last reference to the library itself is gone here
  EXPECT_TRUE(is_mapped(path)) << "unloaded while a target from it is alive";
  EXPECT_EQ(target->deliver({{"k", "p", "{}"}}).size(), 1u);  // its code is still callable
  target.reset();
  EXPECT_FALSE(is_mapped(path)) << "still loaded after the last object died";
}

TEST(PluginRegistry, RecordsRefusalsAndLoadsTheRest) {
  PluginRegistry reg;
  reg.load_directories({TEST_PLUGIN_DIR, "/nonexistent/plugins"});
  EXPECT_NE(reg.find("throwing"), nullptr);
  ASSERT_EQ(reg.refused().size(), 4u);  // major 2, foreign build, no entry points, missing directory
  EXPECT_NE(reg.source_options("throwing"), nullptr);
  EXPECT_EQ(reg.source_options("nope"), nullptr);
}

}  // namespace
}  // namespace medgate::plugin_host
