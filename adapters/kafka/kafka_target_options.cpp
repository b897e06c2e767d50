#include "kafka_target_options.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <set>

#include "kafka_producer.h"
#include "medgate/sdk/secrets.h"

namespace medgate::kafka_adapter {
namespace {

using sdk::Status;

constexpr std::array kCompressions = {"none", "gzip", "snappy", "lz4", "zstd"};
constexpr std::array kProtocols = {"plaintext", "ssl", "sasl_plaintext", "sasl_ssl"};
constexpr std::array kMechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"};

constexpr std::int64_t kMinDeliveryTimeoutMs = 1000;
constexpr std::int64_t kMaxDeliveryTimeoutMs = 3600 * 1000;
constexpr std::int64_t kMaxLingerMs = 900'000;  // librdkafka's limit for linger.ms

// librdkafka properties that a named option sets: the pass-through refuses them.
struct NamedProperty {
  const char* key;
  const char* option;
};
constexpr std::array kNamedProperties = {
    NamedProperty{"bootstrap.servers", "brokers"},
    NamedProperty{"metadata.broker.list", "brokers"},
    NamedProperty{"client.id", "client_id"},
    NamedProperty{"message.timeout.ms", "delivery_timeout"},
    NamedProperty{"delivery.timeout.ms", "delivery_timeout"},
    NamedProperty{"linger.ms", "linger"},
    NamedProperty{"queue.buffering.max.ms", "linger"},
    NamedProperty{"compression.type", "compression"},
    NamedProperty{"compression.codec", "compression"},
    NamedProperty{"security.protocol", "security_protocol"},
    NamedProperty{"ssl.ca.location", "ssl_ca_file"},
    NamedProperty{"ssl.certificate.location", "ssl_certificate_file"},
    NamedProperty{"ssl.key.location", "ssl_key_file"},
    NamedProperty{"sasl.mechanism", "sasl_mechanism"},
    NamedProperty{"sasl.mechanisms", "sasl_mechanism"},
    NamedProperty{"sasl.username", "sasl_username"},
};

// Properties that would weaken at-least-once delivery, ordering, or the
// plugin's own event handling.
constexpr std::array kGuaranteeProperties = {
    "enable.idempotence", "acks", "request.required.acks", "transactional.id", "log.queue", "enabled_events",
};

// Properties that carry key material or credentials inline.
constexpr std::array kInlineSecretProperties = {"ssl.key.pem", "ssl_key", "sasl.oauthbearer.config"};

template <typename List>
bool one_of(const List& list, std::string_view value) {
  return std::any_of(list.begin(), list.end(), [&](const char* v) { return value == v; });
}

template <typename List>
std::string joined(const List& list) {
  std::string out;
  for (const char* v : list) out += (out.empty() ? "" : "|") + std::string(v);
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Kafka's own rule for topic names.
bool valid_topic(const std::string& t) {
  if (t.empty() || t.size() > 249 || t == "." || t == "..") return false;
  return std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; });
}

Status check_readable_file(const std::string& option, const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || ::access(path.c_str(), R_OK) != 0)
    return Status::Invalid(option + ": " + path + " is not a readable file");
  return Status::Ok();
}

std::string optional_string(const sdk::PluginConfig& c, std::string_view name) {
  return c.has(name) ? c.get_string(name) : std::string();
}

bool is_tls(const std::string& protocol) { return protocol == "ssl" || protocol == "sasl_ssl"; }
bool is_sasl(const std::string& protocol) { return protocol == "sasl_plaintext" || protocol == "sasl_ssl"; }

// Checks that need only the values, not the files.
Status check_values(const KafkaTargetOptions& o) {
  if (o.brokers.empty()) return Status::Invalid("brokers must name at least one host:port");
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = o.brokers.find(',', start);
    std::string one = o.brokers.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (one.empty() || one.find_first_of(" \t\r\n") != std::string::npos)
      return Status::Invalid("brokers must be a comma-separated list of host:port without spaces");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (!valid_topic(o.topic))
    return Status::Invalid("topic must be 1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-'");
  if (o.client_id.empty()) return Status::Invalid("client_id must not be empty");
  const std::int64_t timeout = o.delivery_timeout.count();
  if (timeout < kMinDeliveryTimeoutMs || timeout > kMaxDeliveryTimeoutMs)
    return Status::Invalid("delivery_timeout must be between 1s and 1h");
  if (o.linger.count() < 0 || o.linger.count() > kMaxLingerMs || o.linger >= o.delivery_timeout)
    return Status::Invalid("linger must be between 0ms and 15m and shorter than delivery_timeout");
  if (!one_of(kCompressions, o.compression)) return Status::Invalid("compression must be one of " + joined(kCompressions));
  if (!one_of(kProtocols, o.security_protocol))
    return Status::Invalid("security_protocol must be one of " + joined(kProtocols));

  const bool tls = is_tls(o.security_protocol);
  for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"ssl_ca_file", o.ssl_ca_file},
                                    {"ssl_certificate_file", o.ssl_certificate_file},
                                    {"ssl_key_file", o.ssl_key_file},
                                    {"ssl_key_password_file", o.ssl_key_password_file}})
    if (!value.empty() && !tls)
      return Status::Invalid(std::string(name) + " needs security_protocol ssl or sasl_ssl (it is " +
                             o.security_protocol + ")");
  if (o.ssl_certificate_file.empty() != o.ssl_key_file.empty())
    return Status::Invalid("ssl_certificate_file and ssl_key_file go together: set both or neither");
  if (!o.ssl_key_password_file.empty() && o.ssl_key_file.empty())
    return Status::Invalid("ssl_key_password_file needs ssl_key_file");

  const bool sasl = is_sasl(o.security_protocol);
  if (!sasl) {
    for (const auto& [name, value] : {std::pair<const char*, const std::string&>{"sasl_mechanism", o.sasl_mechanism},
                                      {"sasl_username", o.sasl_username},
                                      {"sasl_password_file", o.sasl_password_file}})
      if (!value.empty())
        return Status::Invalid(std::string(name) + " needs security_protocol sasl_plaintext or sasl_ssl (it is " +
                               o.security_protocol + ")");
  } else {
    if (!one_of(kMechanisms, o.sasl_mechanism))
      return Status::Invalid("sasl_mechanism must be one of " + joined(kMechanisms) + " with security_protocol " +
                             o.security_protocol);
    if (o.sasl_username.empty()) return Status::Invalid("sasl_username is required with security_protocol " + o.security_protocol);
    if (o.sasl_password_file.empty())
      return Status::Invalid("sasl_password_file is required with security_protocol " + o.security_protocol);
  }
  return Status::Ok();
}

}  // namespace

sdk::OptionList KafkaTargetOptions::declare() {
  using sdk::OptionType;
  using sdk::Value;
  return {
      {"brokers", OptionType::string, "bootstrap brokers, comma-separated host:port", Value(), true},
      {"topic", OptionType::string, "topic every record is produced to", Value(), true},
      {"client_id", OptionType::string, "client.id the brokers see", Value("medgate"), false},
      {"delivery_timeout", OptionType::duration,
       "how long one record may take to be acknowledged by all in-sync replicas (message.timeout.ms); later, "
       "the record is retried",
       Value(std::int64_t{30'000}), false},
      {"linger", OptionType::duration, "how long to gather records into one request (linger.ms)",
       Value(std::int64_t{5}), false},
      {"compression", OptionType::string, "none, gzip, snappy, lz4 or zstd", Value("lz4"), false},
      {"security_protocol", OptionType::string, "plaintext, ssl, sasl_plaintext or sasl_ssl", Value("plaintext"),
       false},
      {"ssl_ca_file", OptionType::path, "PEM file of CA certificates to trust (default: the system store)", Value(),
       false},
      {"ssl_certificate_file", OptionType::path, "PEM client certificate for mutual TLS", Value(), false},
      {"ssl_key_file", OptionType::path, "PEM private key of ssl_certificate_file (mode 0600 or stricter)", Value(),
       false},
      {"ssl_key_password_file", OptionType::path, "file holding the password of an encrypted ssl_key_file", Value(),
       false},
      {"sasl_mechanism", OptionType::string, "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (with sasl_* protocols)", Value(),
       false},
      {"sasl_username", OptionType::string, "SASL user name", Value(), false},
      {"sasl_password_file", OptionType::path, "file holding the SASL password (mode 0600 or stricter)", Value(),
       false},
      {"properties", OptionType::string_list,
       "further librdkafka producer properties, each \"key=value\"; acks, enable.idempotence, inline secrets and "
       "properties that an option above sets are refused",
       Value(Value::array()), false},
  };
}

Status parse_property(const std::string& entry, std::pair<std::string, std::string>& out) {
  const std::size_t eq = entry.find('=');
  if (eq == std::string::npos || eq == 0) return Status::Invalid("properties: \"" + entry + "\" is not \"key=value\"");
  std::string key = entry.substr(0, eq);
  if (!std::all_of(key.begin(), key.end(),
                   [](unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; }))
    return Status::Invalid("properties: \"" + key + "\" is not a librdkafka property name");
  const std::string k = lower(key);
  // Checked before anything echoes the entry, which may hold a secret.
  if (k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
      one_of(kInlineSecretProperties, k))
    return Status::Invalid("properties: " + key +
                           " would put a secret in the config; secrets live in files (use sasl_password_file, "
                           "ssl_key_file, ssl_key_password_file)");
  if (one_of(kGuaranteeProperties, k))
    return Status::Invalid("properties: " + key +
                           " is fixed by the plugin (idempotent producer, acks=all, plugin-served events)");
  for (const NamedProperty& n : kNamedProperties)
    if (k == n.key) return Status::Invalid("properties: " + key + " is set by the option " + n.option);
  out = {std::move(key), entry.substr(eq + 1)};
  return Status::Ok();
}

Status KafkaTargetOptions::validate(const sdk::PluginConfig& c) {
  KafkaTargetOptions o;
  std::set<std::string> seen;
  for (const std::string& entry : c.get_list("properties")) {
    std::pair<std::string, std::string> parsed;
    if (Status s = parse_property(entry, parsed); !s.ok()) return s;
    if (!seen.insert(lower(parsed.first)).second)
      return Status::Invalid("properties: " + parsed.first + " is given more than once");
  }
  o = from(c);
  if (Status s = check_values(o); !s.ok()) return s;
  if (!o.ssl_ca_file.empty())
    if (Status s = check_readable_file("ssl_ca_file", o.ssl_ca_file); !s.ok()) return s;
  if (!o.ssl_certificate_file.empty())
    if (Status s = check_readable_file("ssl_certificate_file", o.ssl_certificate_file); !s.ok()) return s;
  if (!o.ssl_key_file.empty())
    if (Status s = sdk::check_secret_file(o.ssl_key_file, "ssl_key_file"); !s.ok()) return s;

  // Reads the secret files, then lets librdkafka judge the whole configuration
  // (it also loads the TLS files) without producing anything.
  std::vector<ProducerProperty> properties;
  if (Status s = o.producer_properties(properties); !s.ok()) return s;
  std::unique_ptr<KafkaProducer> producer;
  return KafkaProducer::create(properties, o.topic, nullptr, producer);
}

KafkaTargetOptions KafkaTargetOptions::from(const sdk::PluginConfig& c) {
  KafkaTargetOptions o;
  o.brokers = c.get_string("brokers");
  o.topic = c.get_string("topic");
  o.client_id = c.get_string("client_id");
  o.delivery_timeout = std::chrono::milliseconds(c.get_int("delivery_timeout"));
  o.linger = std::chrono::milliseconds(c.get_int("linger"));
  o.compression = c.get_string("compression");
  o.security_protocol = c.get_string("security_protocol");
  o.ssl_ca_file = optional_string(c, "ssl_ca_file");
  o.ssl_certificate_file = optional_string(c, "ssl_certificate_file");
  o.ssl_key_file = optional_string(c, "ssl_key_file");
  o.ssl_key_password_file = optional_string(c, "ssl_key_password_file");
  o.sasl_mechanism = optional_string(c, "sasl_mechanism");
  o.sasl_username = optional_string(c, "sasl_username");
  o.sasl_password_file = optional_string(c, "sasl_password_file");
  for (const std::string& entry : c.get_list("properties")) {
    std::pair<std::string, std::string> parsed;
    if (parse_property(entry, parsed).ok()) o.properties.push_back(std::move(parsed));
  }
  return o;
}

Status KafkaTargetOptions::producer_properties(std::vector<ProducerProperty>& out) const {
  out.clear();
  // The Java client's partitioner, so a patient lands in the same partition
  // as with other producers of the topic; `properties` may change it.
  out.push_back({"properties", "partitioner", "murmur2_random"});
  for (const auto& [key, value] : properties) out.push_back({"properties", key, value});
  out.push_back({"brokers", "bootstrap.servers", brokers});
  out.push_back({"client_id", "client.id", client_id});
  out.push_back({"delivery_timeout", "message.timeout.ms", std::to_string(delivery_timeout.count())});
  out.push_back({"linger", "linger.ms", std::to_string(linger.count())});
  out.push_back({"compression", "compression.type", compression});
  out.push_back({"security_protocol", "security.protocol", security_protocol});
  if (!ssl_ca_file.empty()) out.push_back({"ssl_ca_file", "ssl.ca.location", ssl_ca_file});
  if (!ssl_certificate_file.empty())
    out.push_back({"ssl_certificate_file", "ssl.certificate.location", ssl_certificate_file});
  if (!ssl_key_file.empty()) out.push_back({"ssl_key_file", "ssl.key.location", ssl_key_file});
  if (!ssl_key_password_file.empty()) {
    std::string password;
    if (Status s = sdk::read_secret_file(ssl_key_password_file, password, "ssl_key_password_file"); !s.ok()) return s;
    out.push_back({"ssl_key_password_file", "ssl.key.password", std::move(password), true});
  }
  if (!sasl_mechanism.empty()) out.push_back({"sasl_mechanism", "sasl.mechanisms", sasl_mechanism});
  if (!sasl_username.empty()) out.push_back({"sasl_username", "sasl.username", sasl_username});
  if (!sasl_password_file.empty()) {
    std::string password;
    if (Status s = sdk::read_secret_file(sasl_password_file, password, "sasl_password_file"); !s.ok()) return s;
    out.push_back({"sasl_password_file", "sasl.password", std::move(password), true});
  }
  // The guarantees, last so that nothing overrides them.
  out.push_back({"enable.idempotence", "enable.idempotence", "true"});
  out.push_back({"acks", "acks", "all"});
  return Status::Ok();
}

}  // namespace medgate::kafka_adapter
