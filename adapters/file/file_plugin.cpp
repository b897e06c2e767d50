// The bundled `file` plugin: an NDJSON inbox source and an NDJSON file target.
// Options are declared once, in FileSourceOptions / FileTargetOptions.
#include <medgate/sdk/export.h>
#include <medgate/sdk/plugin.h>

#include "file_source.h"
#include "file_target.h"

namespace {
using namespace medgate::sdk;
using medgate::file_adapter::FileSource;
using medgate::file_adapter::FileSourceOptions;
using medgate::file_adapter::FileTarget;
using medgate::file_adapter::FileTargetOptions;

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "file";
  d.version = "1.0.0";
  d.description = "NDJSON files: an inbox directory source and a rotating output directory target";
  d.source = std::make_unique<KindSpec<Source>>();
  d.source->options = FileSourceOptions::declare();
  d.source->validate = &FileSourceOptions::validate;
  d.source->create = [](const PluginConfig& c) { return std::make_unique<FileSource>(FileSourceOptions::from(c)); };
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = FileTargetOptions::declare();
  d.target->validate = &FileTargetOptions::validate;
  d.target->create = [](const PluginConfig& c) { return std::make_unique<FileTarget>(FileTargetOptions::from(c)); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
