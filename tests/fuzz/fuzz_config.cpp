// libFuzzer target: the config loader (YAML text -> typed config with
// diagnostics). Any input must load or produce positioned problems; never
// crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "config/gateway_config.h"

namespace {
class NoPlugins : public medgate::config::PluginCatalog {
 public:
  NoPlugins() { options_ = {{"path", medgate::sdk::OptionType::path, "p", {}, true},
                            {"size", medgate::sdk::OptionType::size, "s", medgate::sdk::Value(1), false},
                            {"every", medgate::sdk::OptionType::duration, "d", medgate::sdk::Value(1), false},
                            {"names", medgate::sdk::OptionType::string_list, "n", {}, false}}; }
  const medgate::sdk::OptionList* source_options(const std::string& p) const override {
    return p == "file" ? &options_ : nullptr;
  }
  const medgate::sdk::OptionList* target_options(const std::string& p) const override {
    return p == "file" ? &options_ : nullptr;
  }
  std::vector<std::string> plugin_names() const override { return {"file"}; }
  medgate::sdk::Status validate_source(const std::string&, const medgate::sdk::PluginConfig&) const override {
    return medgate::sdk::Status::Ok();
  }
  medgate::sdk::Status validate_target(const std::string&, const medgate::sdk::PluginConfig&) const override {
    return medgate::sdk::Status::Ok();
  }

 private:
  medgate::sdk::OptionList options_;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  medgate::config::Diagnostics diags;
  auto doc = medgate::config::parse_config_text(text, "/fuzz/medgate.yaml", diags);
  if (!doc) {
    if (!diags.has_errors()) std::abort();  // a refusal always says why
    return 0;
  }
  NoPlugins catalog;
  medgate::config::build_config(*doc, catalog, diags);
  for (const auto& d : diags.items())
    if (d.message.empty()) std::abort();
  return 0;
}
