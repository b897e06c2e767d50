// The kafka target's options: declarations, value checks, the pass-through
// `properties` (and what it refuses), secrets from files, and librdkafka's
// own verdict on the resulting producer configuration.
#include <gtest/gtest.h>

#include "../temp_dir.h"
#include "delivery_outcome.h"
#include "kafka_target_options.h"
#include "medgate/testkit/plugin_config.h"

namespace medgate::kafka_adapter {
namespace {

using sdk::Option;
using sdk::OptionType;
using sdk::PluginConfig;
using sdk::Status;
using sdk::StatusCode;
using sdk::Value;

PluginConfig config_with(Value overrides) {
  Value v = Value::object();
  v["brokers"] = "127.0.0.1:9";
  v["topic"] = "events";
  for (auto& [k, val] : overrides.as_object()) v[k] = val;
  return medgate::testkit::config_with_defaults(KafkaTargetOptions::declare(), v);
}

Value overrides(std::initializer_list<std::pair<const char*, Value>> items) {
  Value v = Value::object();
  for (const auto& [k, val] : items) v[k] = val;
  return v;
}

Value list(std::initializer_list<const char*> items) {
  Value v = Value::array();
  for (const char* i : items) v.as_array().push_back(Value(i));
  return v;
}

Status validate(Value o) { return KafkaTargetOptions::validate(config_with(std::move(o))); }

// Expects invalid_argument with a message that contains every one of `parts`.
void expect_invalid(const Status& s, std::initializer_list<std::string_view> parts) {
  EXPECT_EQ(s.code(), StatusCode::invalid_argument) << s.message();
  for (std::string_view p : parts) EXPECT_NE(s.message().find(p), std::string::npos) << s.message() << " / " << p;
}

std::string write_file(const medgate::testing::TempDir& dir, const std::string& name, const std::string& text,
                       mode_t mode) {
  std::string path = dir / name;
  medgate::testing::write_file(path, text, mode);
  return path;
}

const ProducerProperty* find(const std::vector<ProducerProperty>& props, std::string_view key) {
  const ProducerProperty* found = nullptr;
  for (const ProducerProperty& p : props)
    if (p.key == key) found = &p;  // the last one wins, as in librdkafka
  return found;
}

TEST(KafkaOptions, DeclaredOnceWithTypesAndDefaults) {
  sdk::OptionList options = KafkaTargetOptions::declare();
  std::vector<std::string> names;
  for (const Option& o : options) names.push_back(o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"brokers", "topic", "client_id", "delivery_timeout", "linger",
                                             "compression", "security_protocol", "ssl_ca_file",
                                             "ssl_certificate_file", "ssl_key_file", "ssl_key_password_file",
                                             "sasl_mechanism", "sasl_username", "sasl_password_file",
                                             "properties"}));
  EXPECT_TRUE(options[0].required);
  EXPECT_TRUE(options[1].required);
  EXPECT_EQ(options[2].default_value, Value("medgate"));
  EXPECT_EQ(options[3].type, OptionType::duration);
  EXPECT_EQ(options[3].default_value, Value(std::int64_t{30000}));
  EXPECT_EQ(options[4].type, OptionType::duration);
  EXPECT_EQ(options[4].default_value, Value(std::int64_t{5}));
  EXPECT_EQ(options[5].default_value, Value("lz4"));
  EXPECT_EQ(options[6].default_value, Value("plaintext"));
  EXPECT_EQ(options[7].type, OptionType::path);
  EXPECT_EQ(options[13].type, OptionType::path);
  EXPECT_EQ(options[14].type, OptionType::string_list);
  for (const Option& o : options) EXPECT_FALSE(o.description.empty()) << o.name;
}

TEST(KafkaOptions, DefaultsAreValid) {
  Status s = validate(Value::object());
  EXPECT_TRUE(s.ok()) << s.message();
  KafkaTargetOptions o = KafkaTargetOptions::from(config_with(Value::object()));
  EXPECT_EQ(o.delivery_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(o.compression, "lz4");
}

TEST(KafkaOptions, ValuesOutOfRangeNameTheOption) {
  expect_invalid(validate(overrides({{"brokers", ""}})), {"brokers"});
  expect_invalid(validate(overrides({{"brokers", "a:1, b:2"}})), {"brokers"});
  expect_invalid(validate(overrides({{"brokers", "a:1,,b:2"}})), {"brokers"});
  expect_invalid(validate(overrides({{"topic", "patient events"}})), {"topic"});
  expect_invalid(validate(overrides({{"topic", ".."}})), {"topic"});
  expect_invalid(validate(overrides({{"topic", std::string(250, 'a')}})), {"topic"});
  expect_invalid(validate(overrides({{"client_id", ""}})), {"client_id"});
  expect_invalid(validate(overrides({{"delivery_timeout", 999}})), {"delivery_timeout"});
  expect_invalid(validate(overrides({{"linger", 30000}})), {"linger", "delivery_timeout"});
  expect_invalid(validate(overrides({{"compression", "brotli"}})), {"compression", "none|gzip|snappy|lz4|zstd"});
  expect_invalid(validate(overrides({{"security_protocol", "tls"}})), {"security_protocol"});
  for (const char* c : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    Status s = validate(overrides({{"compression", c}}));
    EXPECT_TRUE(s.ok()) << c << ": " << s.message();
  }
}

TEST(KafkaOptions, PropertiesPassThroughAndRefusals) {
  Status ok = validate(overrides({{"properties", list({"queue.buffering.max.messages=50000", "batch.size=200000"})}}));
  EXPECT_TRUE(ok.ok()) << ok.message();

  expect_invalid(validate(overrides({{"properties", list({"acks=1"})}})), {"properties", "acks", "fixed"});
  expect_invalid(validate(overrides({{"properties", list({"enable.idempotence=false"})}})),
                 {"properties", "enable.idempotence"});
  expect_invalid(validate(overrides({{"properties", list({"transactional.id=x"})}})), {"transactional.id"});
  expect_invalid(validate(overrides({{"properties", list({"bootstrap.servers=x:1"})}})), {"option brokers"});
  expect_invalid(validate(overrides({{"properties", list({"linger.ms=1"})}})), {"option linger"});
  expect_invalid(validate(overrides({{"properties", list({"message.timeout.ms=1"})}})), {"option delivery_timeout"});
  expect_invalid(validate(overrides({{"properties", list({"compression.codec=gzip"})}})), {"option compression"});
  expect_invalid(validate(overrides({{"properties", list({"no-equals-sign"})}})), {"properties", "key=value"});
  expect_invalid(validate(overrides({{"properties", list({"=x"})}})), {"properties", "key=value"});
  expect_invalid(validate(overrides({{"properties", list({"batch.size=1000", "batch.size=2000"})}})),
                 {"batch.size", "more than once"});
  // librdkafka's verdict names the entry.
  expect_invalid(validate(overrides({{"properties", list({"no.such.property=1"})}})),
                 {"properties", "no.such.property"});
  expect_invalid(validate(overrides({{"properties", list({"queue.buffering.max.messages=lots"})}})),
                 {"properties", "queue.buffering.max.messages"});
  // Settings each fine alone but not with an idempotent producer: only rd_kafka_new sees it.
  expect_invalid(validate(overrides({{"properties", list({"max.in.flight.requests.per.connection=10"})}})),
                 {"librdkafka refused"});
}

TEST(KafkaOptions, InlineSecretsAreRefusedWithoutEchoingThem) {
  for (const char* entry : {"sasl.password=hunter2", "ssl.key.password=hunter2", "ssl.keystore.password=hunter2",
                            "sasl.oauthbearer.client.secret=hunter2", "ssl.key.pem=hunter2",
                            "SASL.PASSWORD=hunter2"}) {
    Status s = validate(overrides({{"properties", list({entry})}}));
    expect_invalid(s, {"properties", "secret"});
    EXPECT_EQ(s.message().find("hunter2"), std::string::npos) << s.message();
  }
}

TEST(KafkaOptions, SaslNeedsMechanismUserAndAPrivatePasswordFile) {
  medgate::testing::TempDir dir;
  std::string password = write_file(dir, "sasl.pw", "s3cret-pw\n", 0600);
  std::string open_password = write_file(dir, "open.pw", "s3cret-pw\n", 0644);
  auto sasl = [&](std::initializer_list<std::pair<const char*, Value>> extra) {
    Value v = overrides({{"security_protocol", "sasl_plaintext"},
                         {"sasl_mechanism", "SCRAM-SHA-512"},
                         {"sasl_username", "medgate"},
                         {"sasl_password_file", password}});
    for (const auto& [k, val] : extra) v[k] = val;
    return v;
  };
  Status ok = validate(sasl({}));
  EXPECT_TRUE(ok.ok()) << ok.message();
  expect_invalid(validate(sasl({{"sasl_mechanism", Value()}})), {"sasl_mechanism"});
  expect_invalid(validate(sasl({{"sasl_mechanism", "GSSAPI"}})), {"sasl_mechanism", "PLAIN"});
  expect_invalid(validate(sasl({{"sasl_username", Value()}})), {"sasl_username"});
  expect_invalid(validate(sasl({{"sasl_password_file", Value()}})), {"sasl_password_file"});
  Status open = validate(sasl({{"sasl_password_file", open_password}}));
  EXPECT_FALSE(open.ok());
  EXPECT_NE(open.message().find("sasl_password_file"), std::string::npos) << open.message();
  EXPECT_EQ(open.message().find("s3cret-pw"), std::string::npos) << open.message();
  // SASL options without a SASL protocol would silently do nothing.
  expect_invalid(validate(overrides({{"sasl_username", "medgate"}})), {"sasl_username", "sasl_plaintext"});

  std::vector<ProducerProperty> props;
  ASSERT_TRUE(KafkaTargetOptions::from(config_with(sasl({}))).producer_properties(props).ok());
  const ProducerProperty* pw = find(props, "sasl.password");
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(pw->value, "s3cret-pw");  // trailing newline removed
  EXPECT_TRUE(pw->secret);
  EXPECT_EQ(pw->option, "sasl_password_file");
  EXPECT_EQ(find(props, "sasl.mechanisms")->value, "SCRAM-SHA-512");
  EXPECT_EQ(find(props, "security.protocol")->value, "sasl_plaintext");
}

TEST(KafkaOptions, TlsFilesNeedATlsProtocolAndExist) {
  medgate::testing::TempDir dir;
  expect_invalid(validate(overrides({{"ssl_ca_file", "/etc/ssl/certs/ca-certificates.crt"}})),
                 {"ssl_ca_file", "ssl or sasl_ssl"});
  expect_invalid(validate(overrides({{"security_protocol", "ssl"}, {"ssl_ca_file", dir / "missing.pem"}})),
                 {"ssl_ca_file", "missing.pem"});
  expect_invalid(validate(overrides({{"security_protocol", "ssl"}, {"ssl_certificate_file", dir / "c.pem"}})),
                 {"ssl_certificate_file", "ssl_key_file"});
  expect_invalid(validate(overrides({{"security_protocol", "ssl"}, {"ssl_key_password_file", dir / "k.pw"}})),
                 {"ssl_key_password_file", "ssl_key_file"});
  std::string cert = write_file(dir, "client.pem", "not a certificate\n", 0644);
  std::string key = write_file(dir, "client.key", "not a key\n", 0644);
  // A private key readable by others is refused like any other secret file.
  Status s = validate(overrides({{"security_protocol", "ssl"}, {"ssl_certificate_file", cert}, {"ssl_key_file", key}}));
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ssl_key_file"), std::string::npos) << s.message();
  // With TLS and the system's CA store, librdkafka accepts the configuration.
  Status tls = validate(overrides({{"security_protocol", "ssl"}}));
  EXPECT_TRUE(tls.ok()) << tls.message();
}

TEST(KafkaOptions, ProducerPropertiesFixTheGuaranteesLast) {
  Value o = overrides({{"delivery_timeout", 12000},
                       {"linger", 20},
                       {"compression", "zstd"},
                       {"client_id", "gw-1"},
                       {"properties", list({"batch.size=300000", "partitioner=consistent_random"})}});
  std::vector<ProducerProperty> props;
  ASSERT_TRUE(KafkaTargetOptions::from(config_with(o)).producer_properties(props).ok());
  ASSERT_GE(props.size(), 2u);
  EXPECT_EQ(props[props.size() - 2].key, "enable.idempotence");
  EXPECT_EQ(props[props.size() - 2].value, "true");
  EXPECT_EQ(props.back().key, "acks");
  EXPECT_EQ(props.back().value, "all");
  EXPECT_EQ(find(props, "bootstrap.servers")->value, "127.0.0.1:9");
  EXPECT_EQ(find(props, "message.timeout.ms")->value, "12000");
  EXPECT_EQ(find(props, "linger.ms")->value, "20");
  EXPECT_EQ(find(props, "compression.type")->value, "zstd");
  EXPECT_EQ(find(props, "client.id")->value, "gw-1");
  EXPECT_EQ(find(props, "batch.size")->value, "300000");
  EXPECT_EQ(find(props, "batch.size")->option, "properties");
  EXPECT_EQ(find(props, "partitioner")->value, "consistent_random");  // the user's choice wins the default
  EXPECT_EQ(find(props, "sasl.password"), nullptr);
}

TEST(KafkaDeliveryOutcome, OnlyPerRecordErrorsAreRejected) {
  using Kind = sdk::Outcome::Kind;
  EXPECT_EQ(outcome_for(RD_KAFKA_RESP_ERR_NO_ERROR, "t").kind, Kind::delivered);
  sdk::Outcome big = outcome_for(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, "t");
  EXPECT_EQ(big.kind, Kind::rejected);
  EXPECT_NE(big.reason.find("message.max.bytes"), std::string::npos) << big.reason;
  sdk::Outcome topic = outcome_for(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, "events");
  EXPECT_EQ(topic.kind, Kind::rejected);
  EXPECT_NE(topic.reason.find("topic events does not exist"), std::string::npos) << topic.reason;
  EXPECT_EQ(outcome_for(RD_KAFKA_RESP_ERR_INVALID_RECORD, "t").kind, Kind::rejected);
  for (rd_kafka_resp_err_t err :
       {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__TRANSPORT,
        RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__FATAL, RD_KAFKA_RESP_ERR__PURGE_QUEUE,
        RD_KAFKA_RESP_ERR__PURGE_INFLIGHT, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR__AUTHENTICATION,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
        RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH}) {
    sdk::Outcome o = outcome_for(err, "t");
    EXPECT_EQ(o.kind, Kind::retry) << rd_kafka_err2name(err);
    EXPECT_NE(o.reason.find(rd_kafka_err2name(err)), std::string::npos) << o.reason;
  }
}

}  // namespace
}  // namespace medgate::kafka_adapter
