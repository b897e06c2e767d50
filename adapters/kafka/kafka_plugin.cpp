// The bundled `kafka` plugin: a target that produces every record to one
// Kafka topic with librdkafka's idempotent producer. Options are declared
// once, in KafkaTargetOptions.
#include <medgate/sdk/export.h>
#include <medgate/sdk/plugin.h>

#include "kafka_target.h"

namespace {
using namespace medgate::sdk;
using medgate::kafka_adapter::KafkaTarget;
using medgate::kafka_adapter::KafkaTargetOptions;

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "kafka";
  d.version = "1.0.0";
  d.description = "Kafka topic target: idempotent producer (acks=all), keyed by patient token";
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = KafkaTargetOptions::declare();
  d.target->validate = &KafkaTargetOptions::validate;
  d.target->create = [](const PluginConfig& c) { return std::make_unique<KafkaTarget>(KafkaTargetOptions::from(c)); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
