// Options of the kafka target, declared once (declare/validate/from), and
// their translation into librdkafka producer properties. The guarantees
// (idempotent producer, acks=all) are fixed here and cannot be overridden
// through the `properties` pass-through.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "medgate/sdk/options.h"
#include "medgate/sdk/status.h"

namespace medgate::kafka_adapter {

// One librdkafka property and the medgate option it comes from, so that an
// error librdkafka reports can name the option the user wrote.
struct ProducerProperty {
  std::string option;  // e.g. "compression" or "properties"
  std::string key;     // librdkafka name, e.g. "compression.type"
  std::string value;
  bool secret = false;  // never echoed in messages
};

struct KafkaTargetOptions {
  std::string brokers;
  std::string topic;
  std::string client_id = "medgate";
  std::chrono::milliseconds delivery_timeout{30'000};
  std::chrono::milliseconds linger{5};
  std::string compression = "lz4";
  std::string security_protocol = "plaintext";
  std::string ssl_ca_file;
  std::string ssl_certificate_file;
  std::string ssl_key_file;
  std::string ssl_key_password_file;
  std::string sasl_mechanism;
  std::string sasl_username;
  std::string sasl_password_file;
  std::vector<std::pair<std::string, std::string>> properties;  // pass-through, already checked

  static sdk::OptionList declare();
  // Types are checked by the host; this checks values, reads the secret
  // files and lets librdkafka check the whole producer configuration.
  static sdk::Status validate(const sdk::PluginConfig& config);
  static KafkaTargetOptions from(const sdk::PluginConfig& config);  // config already validated

  // The librdkafka properties, in the order they are applied: the fixed
  // guarantees last, so nothing can override them. Reads the secret files.
  sdk::Status producer_properties(std::vector<ProducerProperty>& out) const;
};

// Splits one `properties` entry "key=value" and refuses keys that would
// weaken the guarantees, duplicate a named option, or put a secret inline.
sdk::Status parse_property(const std::string& entry, std::pair<std::string, std::string>& out);

}  // namespace medgate::kafka_adapter
