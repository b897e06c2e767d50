// The bundled `postgres` plugin: a target that stores each desensitized record
// as one row of a PostgreSQL table. Options are declared once, in
// PostgresTargetOptions.
#include <medgate/sdk/export.h>
#include <medgate/sdk/plugin.h>

#include "postgres_target.h"
#include "postgres_target_options.h"

namespace {
using namespace medgate::sdk;
using medgate::postgres_adapter::PostgresTarget;
using medgate::postgres_adapter::PostgresTargetOptions;

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "postgres";
  d.version = medgate::postgres_adapter::kPluginVersion;
  d.description = "PostgreSQL: one row per record in a table, upserted by idempotency key (no duplicates on replay)";
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = PostgresTargetOptions::declare();
  d.target->validate = &PostgresTargetOptions::validate;
  d.target->create = [](const PluginConfig& c) {
    return std::make_unique<PostgresTarget>(PostgresTargetOptions::from(c));
  };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
