// The config loader against a fake plugin catalog: typed results, defaults,
// relative paths, and every kind of problem reported with its position.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "config/gateway_config.h"
#include "medgate/sdk/secrets.h"
#include "temp_dir.h"

namespace medgate::config {
namespace {

class FakeCatalog : public PluginCatalog {
 public:
  FakeCatalog() {
    file_source_ = {{"path", sdk::OptionType::path, "inbox", {}, true},
                    {"poll_interval", sdk::OptionType::duration, "poll", sdk::Value(500), false},
                    {"batch_max", sdk::OptionType::integer, "batch", sdk::Value(1000), false}};
    file_target_ = {{"path", sdk::OptionType::path, "out", {}, true},
                    {"rotate_bytes", sdk::OptionType::size, "rotate", sdk::Value(64 << 20), false},
                    {"fsync", sdk::OptionType::boolean, "fsync", sdk::Value(true), false}};
  }
  const sdk::OptionList* source_options(const std::string& p) const override {
    return p == "file" ? &file_source_ : nullptr;
  }
  const sdk::OptionList* target_options(const std::string& p) const override {
    return p == "file" || p == "sink" ? &file_target_ : nullptr;
  }
  std::vector<std::string> plugin_names() const override { return {"file", "sink"}; }
  sdk::Status validate_source(const std::string&, const sdk::PluginConfig& c) const override {
    return c.get_int("batch_max") < 1 ? sdk::Status::Invalid("batch_max must be at least 1") : sdk::Status::Ok();
  }
  sdk::Status validate_target(const std::string&, const sdk::PluginConfig&) const override {
    return sdk::Status::Ok();
  }

 private:
  sdk::OptionList file_source_, file_target_;
};

const char* kGood = R"(state_dir: state
keys:
  - id: k1
    file: keys/k1.key
sources:
  inbox:
    plugin: file
    config:
      path: in
      poll_interval: 2s
targets:
  out:
    plugin: file
    batch_max: 50
    retry_initial: 100ms
    config:
      path: /abs/out
      rotate_bytes: 1MiB
policies:
  p:
    purpose: analytics
    rules:
      - {field: patient.token, method: keep}
      - {field: subject.birth_date, method: generalize, to: patient.birth_year, level: year}
routes:
  - name: r
    from: [inbox]
    to: out
    policy: p
audit:
  signing_key: keys/audit-signing.key
)";

struct Loaded {
  GatewayConfig config;
  Diagnostics diags;
  std::string text() const {
    std::ostringstream out;
    diags.print(out);
    return out.str();
  }
};

class ConfigLoaderTest : public ::testing::Test {
 protected:
  Loaded load(const std::string& yaml) {
    std::string path = dir_ / "medgate.yaml";
    std::ofstream(path) << yaml;
    Loaded l;
    auto doc = parse_config_file(path, l.diags);
    if (doc) l.config = build_config(*doc, catalog_, l.diags);
    return l;
  }
  std::string with(const std::string& from, const std::string& to) {
    std::string s = kGood;
    auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  }
  testing::TempDir dir_;
  FakeCatalog catalog_;
};

TEST_F(ConfigLoaderTest, ReadsAGoodConfigWithDefaultsAndResolvedPaths) {
  Loaded l = load(kGood);
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  const auto& c = l.config;
  EXPECT_EQ(c.state_dir, dir_ / "state");
  ASSERT_EQ(c.keys.size(), 1u);
  EXPECT_EQ(c.keys[0].file, dir_ / "keys/k1.key");
  EXPECT_EQ(c.identity.key, "k1");  // the only key
  EXPECT_EQ(c.audit.dir, dir_ / "state/audit");
  EXPECT_EQ(c.audit.signing_key, dir_ / "keys/audit-signing.key");
  EXPECT_EQ(c.audit.verify_key, "");
  EXPECT_EQ(c.audit.checkpoint_interval_ms, 60'000);
  EXPECT_EQ(c.audit.checkpoint_entries, 10'000u);
  EXPECT_EQ(c.audit.retention_ms, 0);  // keep forever
  EXPECT_EQ(c.quarantine.retention_ms, 30LL * 86'400'000);
  const auto& src = c.sources.at("inbox");
  EXPECT_EQ(src.plugin, "file");
  EXPECT_EQ(src.options.get_string("path"), dir_ / "in");
  EXPECT_EQ(src.options.get_int("poll_interval"), 2000);
  EXPECT_EQ(src.options.get_int("batch_max"), 1000);  // default filled
  const auto& t = c.targets.at("out");
  EXPECT_EQ(t.batch_max, 50u);
  EXPECT_EQ(t.retry_initial_ms, 100);
  EXPECT_EQ(t.delivery_interval_ms, 10);  // default
  EXPECT_EQ(t.options.get_int("rotate_bytes"), 1 << 20);
  EXPECT_TRUE(t.options.get_bool("fsync"));
  ASSERT_EQ(c.routes.size(), 1u);
  EXPECT_EQ(c.routes[0].to, std::vector<std::string>{"out"});  // a single name is a one-element list
  const auto& rule = c.policies.at("p").rules.at(1);
  EXPECT_EQ(rule.method, "generalize");
  EXPECT_EQ(rule.to, "patient.birth_year");
  EXPECT_EQ(rule.params.find("level")->as_string(), "year");
  EXPECT_EQ(rule.mark.line, 24);
}

TEST_F(ConfigLoaderTest, ReadsATargetsDeliveryIntervalFromZeroToAMinute) {
  for (const auto& [text, ms] : std::vector<std::pair<std::string, std::int64_t>>{
           {"0", 0}, {"0ms", 0}, {"250ms", 250}, {"2s", 2000}, {"1m", 60'000}}) {
    Loaded l = load(with("batch_max: 50", "batch_max: 50\n    delivery_interval: " + text));
    ASSERT_FALSE(l.diags.has_errors()) << text << ": " << l.text();
    EXPECT_EQ(l.config.targets.at("out").delivery_interval_ms, ms) << text;
  }
  Loaded l = load(with("batch_max: 50", "batch_max: 50\n    delivery_interval: 61s"));
  EXPECT_NE(l.text().find(":15:24: 'targets.out.delivery_interval' must be at most 60s"), std::string::npos)
      << l.text();
  l = load(with("batch_max: 50", "batch_max: 50\n    delivery_interval: soon"));
  EXPECT_NE(l.text().find(":15:24: 'targets.out.delivery_interval' must be a duration"), std::string::npos)
      << l.text();
}

TEST_F(ConfigLoaderTest, ReportsYamlSyntaxErrorsWithPosition) {
  Loaded l = load("sources:\n  inbox: [unclosed\n");
  ASSERT_TRUE(l.diags.has_errors());
  EXPECT_NE(l.text().find("medgate.yaml:3:1: YAML syntax error"), std::string::npos) << l.text();
}

TEST_F(ConfigLoaderTest, ReportsUnknownKeysWithASuggestion) {
  Loaded l = load(with("state_dir: state", "state_dir: state\nspool:\n  max_byte: 1GiB"));
  EXPECT_NE(l.text().find(":3:3: unknown key 'spool.max_byte' (did you mean 'max_bytes'?)"), std::string::npos)
      << l.text();
}

TEST_F(ConfigLoaderTest, ReportsWrongTypes) {
  Loaded l = load(with("batch_max: 50", "batch_max: fifty"));
  EXPECT_NE(l.text().find(":14:16: 'targets.out.batch_max' must be an integer, not 'fifty'"), std::string::npos)
      << l.text();
  l = load(with("poll_interval: 2s", "poll_interval: [2s]"));
  EXPECT_NE(l.text().find(":10:22: 'sources.inbox.config.poll_interval' must be a duration"), std::string::npos)
      << l.text();
}

TEST_F(ConfigLoaderTest, ChecksPluginSectionsAgainstTheirDeclaredOptions) {
  Loaded l = load(with("      path: in\n", "      pth: in\n"));
  std::string t = l.text();
  EXPECT_NE(t.find(":9:7: unknown key 'sources.inbox.config.pth' (did you mean 'path'?)"), std::string::npos) << t;
  EXPECT_NE(t.find(":9:7: missing required option 'sources.inbox.config.path'"), std::string::npos) << t;
  l = load(with("      poll_interval: 2s", "      poll_interval: 2s\n      batch_max: 0"));
  EXPECT_NE(l.text().find("'sources.inbox.config': batch_max must be at least 1"), std::string::npos) << l.text();
}

TEST_F(ConfigLoaderTest, ReportsUnknownPlugins) {
  Loaded l = load(with("plugin: file\n    config:\n      path: in", "plugin: fiel\n    config:\n      path: in"));
  EXPECT_NE(l.text().find(":7:13: unknown plugin 'fiel' (loaded plugins: file, sink); did you mean 'file'?"),
            std::string::npos)
      << l.text();
  l = load(with("plugin: file\n    config:\n      path: in", "plugin: sink\n    config:\n      path: in"));
  EXPECT_NE(l.text().find(":7:13: plugin 'sink' provides no source"), std::string::npos) << l.text();
  // The route naming the broken source does not add a second, misleading error.
  EXPECT_EQ(l.text().find("route names unknown source"), std::string::npos) << l.text();
}

TEST_F(ConfigLoaderTest, ReportsBadReferences) {
  Loaded l = load(with("policy: p", "policy: q"));
  EXPECT_NE(l.text().find(":29:13: route names unknown policy 'q' (declared: p)"), std::string::npos) << l.text();
  l = load(with("from: [inbox]", "from: [inbox, outbox]"));
  EXPECT_NE(l.text().find(":27:19: route names unknown source 'outbox' (declared: inbox)"), std::string::npos)
      << l.text();
}

TEST_F(ConfigLoaderTest, RefusesInlineSecretsAndDuplicateKeys) {
  Loaded l = load(with("    file: keys/k1.key", "    value: 00ff"));
  EXPECT_NE(l.text().find("keys are never written inline"), std::string::npos) << l.text();
  EXPECT_NE(l.text().find("missing required key 'keys[0].file'"), std::string::npos) << l.text();
  l = load(with("state_dir: state", "state_dir: state\nstate_dir: other"));
  EXPECT_NE(l.text().find(":2:1: duplicate key 'state_dir' (first at line 1)"), std::string::npos) << l.text();
}

TEST_F(ConfigLoaderTest, ReadsRetiredKeysAndChecksKeyIds) {
  Loaded l = load(with("    file: keys/k1.key", "    file: keys/k1.key\n  - id: k0\n    file: keys/k0.key\n    retired: true\nidentity: {key: k1}"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  ASSERT_EQ(l.config.keys.size(), 2u);
  EXPECT_FALSE(l.config.keys[0].retired);
  EXPECT_TRUE(l.config.keys[1].retired);
  l = load(with("    file: keys/k1.key", "    file: keys/k1.key\n    retired: true"));
  EXPECT_NE(l.text().find("is retired: new patient tokens need an active key"), std::string::npos) << l.text();
  l = load(with("  - id: k1", "  - id: k1.2026"));
  EXPECT_NE(l.text().find(":3:9: key id 'k1.2026' must be 1 to 64 letters, digits, '-' or '_'"), std::string::npos)
      << l.text();
}

TEST_F(ConfigLoaderTest, ReportsEveryProblemNotJustTheFirst) {
  Loaded l = load(with("state_dir: state", "state_dir: state\nbogus: 1"));
  EXPECT_EQ(l.diags.items().size(), 1u) << l.text();
  std::string both = kGood;
  both.replace(both.find("batch_max: 50"), 13, "batch_max: x");
  both.replace(both.find("policy: p"), 9, "policy: q");
  l = load(both);
  EXPECT_EQ(l.diags.items().size(), 2u) << l.text();
}

TEST_F(ConfigLoaderTest, ReadsServerTlsForTheAdminApiAndTheIngress) {
  Loaded l = load(with("state_dir: state", R"(state_dir: state
admin:
  tls: {cert: tls/admin.crt, key: tls/admin.key}
ingress:
  tls:
    cert: /etc/medgate/tls/ingress.crt
    key: /etc/medgate/tls/ingress.key
    client_ca: tls/hospital-ca.crt)"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  const auto& a = l.config.admin.tls;
  EXPECT_TRUE(a.enabled());
  EXPECT_EQ(a.cert_file, dir_ / "tls/admin.crt");
  EXPECT_EQ(a.key_file, dir_ / "tls/admin.key");
  EXPECT_EQ(a.client_ca_file, "");
  EXPECT_EQ(a.key_mark.line, 3);  // --check's problems with the key file point at the section
  const auto& i = l.config.ingress.tls;
  EXPECT_EQ(i.cert_file, "/etc/medgate/tls/ingress.crt");
  EXPECT_EQ(i.client_ca_file, dir_ / "tls/hospital-ca.crt");

  Loaded plain = load(kGood);
  EXPECT_FALSE(plain.config.admin.tls.enabled());
  EXPECT_FALSE(plain.config.ingress.tls.enabled());
}

TEST_F(ConfigLoaderTest, ServerTlsNeedsCertAndKeyAndTheAdminApiTakesNoClientCa) {
  Loaded l = load(with("state_dir: state", "state_dir: state\ningress:\n  tls: {cert: a.crt}"));
  EXPECT_NE(l.text().find("missing required key 'ingress.tls.key'"), std::string::npos) << l.text();
  l = load(with("state_dir: state", "state_dir: state\nadmin:\n  tls: {cert: a.crt, key: a.key, client_ca: ca.crt}"));
  EXPECT_NE(l.text().find("unknown key 'admin.tls.client_ca'"), std::string::npos) << l.text();
  l = load(with("state_dir: state", "state_dir: state\nadmin:\n  tls: yes"));
  EXPECT_NE(l.text().find("admin.tls"), std::string::npos) << l.text();
  EXPECT_TRUE(l.diags.has_errors());
}

TEST_F(ConfigLoaderTest, ReadsTheAuditSection) {
  Loaded l =
      load(with("  signing_key: keys/audit-signing.key\n",
                "  dir: /srv/audit\n  signing_key: /etc/medgate/audit.key\n  verify_key: audit.pub\n"
                "  segment_bytes: 1MiB\n  checkpoint_interval: 5m\n  checkpoint_entries: 0\n  retention: 365d\n"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  const auto& a = l.config.audit;
  EXPECT_EQ(a.dir, "/srv/audit");
  EXPECT_EQ(a.signing_key, "/etc/medgate/audit.key");
  EXPECT_EQ(a.verify_key, dir_ / "audit.pub");
  EXPECT_EQ(a.segment_bytes, 1u << 20);
  EXPECT_EQ(a.checkpoint_interval_ms, 300'000);
  EXPECT_EQ(a.checkpoint_entries, 0u);
  EXPECT_EQ(a.retention_ms, 365LL * 86'400'000);
  EXPECT_EQ(a.signing_key_mark.line, 32);

  // The offline tools read the same section without plugins.
  Diagnostics diags;
  std::ofstream(dir_ / "medgate.yaml") << with("  signing_key: keys/audit-signing.key\n", "  signing_key: s.key\n");
  auto doc = parse_config_file(dir_ / "medgate.yaml", diags);
  ASSERT_TRUE(doc);
  AuditConfig offline = read_audit_config(*doc, diags);
  EXPECT_FALSE(diags.has_errors());
  EXPECT_EQ(offline.dir, dir_ / "state/audit");
  EXPECT_EQ(offline.signing_key, dir_ / "s.key");
}

TEST_F(ConfigLoaderTest, TheAuditSigningKeyIsRequiredAndNotADataKey) {
  Loaded l = load(with("audit:\n  signing_key: keys/audit-signing.key\n", ""));
  EXPECT_NE(l.text().find(":1:1: missing required key 'audit.signing_key': the Ed25519 private key that signs audit "
                          "checkpoints (make one with `openssl genpkey -algorithm ed25519 -out FILE`"),
            std::string::npos)
      << l.text();
  l = load(with("  signing_key: keys/audit-signing.key\n", "  dir: a\n"));
  EXPECT_NE(l.text().find(":31:3: missing required key 'audit.signing_key'"), std::string::npos) << l.text();
  l = load(with("  signing_key: keys/audit-signing.key\n", "  signing_key: keys/../keys/k1.key\n"));
  EXPECT_NE(l.text().find(":31:16: 'audit.signing_key' must not be a data key file (it is the file of key 'k1')"),
            std::string::npos)
      << l.text();
  l = load(with("  signing_key: keys/audit-signing.key\n", "  signing_key: a.key\n  retention: 10s\n"));
  EXPECT_NE(l.text().find(":32:14: 'audit.retention' must be at least 60000ms"), std::string::npos) << l.text();
}

TEST_F(ConfigLoaderTest, ReadsTheQuarantineRetention) {
  Loaded l = load(with("state_dir: state", "state_dir: state\nquarantine:\n  retention: 7d"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  EXPECT_EQ(l.config.quarantine.retention_ms, 7LL * 86'400'000);
  l = load(with("state_dir: state", "state_dir: state\nquarantine:\n  retention: 0"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  EXPECT_EQ(l.config.quarantine.retention_ms, 0);  // kept until removed by hand
  l = load(with("state_dir: state", "state_dir: state\nquarantine:\n  retention: 10s"));
  EXPECT_NE(l.text().find(":3:14: 'quarantine.retention' must be 0 (keep quarantined inputs until removed by hand) or "
                          "at least 1m"),
            std::string::npos)
      << l.text();
  l = load(with("state_dir: state", "state_dir: state\nquarantine:\n  keep: 1d"));
  EXPECT_NE(l.text().find("unknown key 'quarantine.keep'"), std::string::npos) << l.text();
}

TEST_F(ConfigLoaderTest, ReadsTheDeadLetterRetention) {
  Loaded l = load(with("state_dir: state", "state_dir: state"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  EXPECT_EQ(l.config.dlq.retention_ms, 90LL * 86'400'000);  // the default
  l = load(with("state_dir: state", "state_dir: state\ndlq:\n  retention: 14d"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  EXPECT_EQ(l.config.dlq.retention_ms, 14LL * 86'400'000);
  EXPECT_EQ(l.config.quarantine.retention_ms, 30LL * 86'400'000);  // each section its own
  l = load(with("state_dir: state", "state_dir: state\ndlq:\n  retention: 0"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  EXPECT_EQ(l.config.dlq.retention_ms, 0);
  l = load(with("state_dir: state", "state_dir: state\ndlq:\n  retention: 59s"));
  EXPECT_NE(l.text().find(":3:14: 'dlq.retention' must be 0 (keep dead letters until removed by hand) or at least 1m"),
            std::string::npos)
      << l.text();
}

TEST_F(ConfigLoaderTest, ReadsThePipelineSection) {
  Loaded l = load(with("state_dir: state", "state_dir: state"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  EXPECT_EQ(l.config.pipeline.workers, 2);  // the defaults
  EXPECT_EQ(l.config.pipeline.parallel_min_records, 256);
  l = load(with("state_dir: state", "state_dir: state\npipeline:\n  workers: 3\n  parallel_min_records: 1"));
  ASSERT_FALSE(l.diags.has_errors()) << l.text();
  EXPECT_EQ(l.config.pipeline.workers, 3);
  EXPECT_EQ(l.config.pipeline.parallel_min_records, 1);
  l = load(with("state_dir: state", "state_dir: state\npipeline:\n  parallel_min_records: 0"));
  EXPECT_NE(l.text().find(":3:25: 'pipeline.parallel_min_records' must be from 1 to 1000000, not 0"), std::string::npos)
      << l.text();
}

TEST(KeyFiles, RefusesGroupOrWorldReadableKeys) {
  testing::TempDir dir;
  std::string key = dir / "k.key";
  std::ofstream(key) << std::string(64, 'a');
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  sdk::Status s = sdk::check_secret_file(key, "key file");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("mode 0644"), std::string::npos) << s.message();
  ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
  EXPECT_TRUE(sdk::check_secret_file(key, "key file").ok());
  EXPECT_NE(sdk::check_secret_file(dir / "missing.key", "key file").message().find("cannot be opened"), std::string::npos);
}

TEST(SecretFiles, ReadTrimsTheTrailingNewlineAndRefusesEmptyOrHugeFiles) {
  testing::TempDir dir;
  auto write = [&](const std::string& name, const std::string& text) {
    std::string path = dir / name;
    std::ofstream(path) << text;
    EXPECT_EQ(::chmod(path.c_str(), 0600), 0);
    return path;
  };
  std::string out;
  ASSERT_TRUE(sdk::read_secret_file(write("pw", "s3cret pass\n"), out).ok());
  EXPECT_EQ(out, "s3cret pass");
  sdk::Status s = sdk::read_secret_file(write("empty", "\n"), out, "password file");
  EXPECT_NE(s.message().find("password file"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("is empty"), std::string::npos) << s.message();
  s = sdk::read_secret_file(write("big", std::string(100, 'x')), out, "secret file", 64);
  EXPECT_NE(s.message().find("larger than 64 bytes"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("xxxx"), std::string::npos) << "contents must never appear in messages";
}

}  // namespace
}  // namespace medgate::config
