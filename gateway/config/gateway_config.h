// The typed gateway configuration, produced by load_config() from YAML and
// validated before anything runs. Paths are absolute (relative ones in the
// file resolve against the config file's directory).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/diagnostics.h"
#include "medgate/sdk/options.h"
#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"

namespace medgate::config {

struct PluginInstanceConfig {
  std::string name;    // the instance name: the key under sources:/targets:
  std::string plugin;  // the plugin providing it
  sdk::PluginConfig options;  // validated against the plugin's declared options
  Mark mark;           // where the instance is declared
};

struct SourceConfig : PluginInstanceConfig {};

struct TargetConfig : PluginInstanceConfig {
  std::size_t batch_max = 500;           // records per deliver() call
  std::int64_t retry_initial_ms = 200;   // first backoff after a retry outcome
  std::int64_t retry_max_ms = 30000;     // backoff ceiling
  std::int64_t circuit_failures = 5;     // failed attempts in a row that open the circuit
  std::int64_t delivery_interval_ms = 10;  // the shortest time between two reads of its spool (DeliveryPacer)
  bool open_handles = false;             // may open encrypted handles (outreach senders only)
};

struct RouteConfig {
  std::string name;
  std::vector<std::string> from;  // source instance names
  std::vector<std::string> to;    // target instance names
  std::string policy;             // policy name
  Mark mark;
};

struct PolicyRule {
  std::string field;   // input field path, e.g. "subject.birth_date" or "encounter"
  std::string method;  // keep, drop, token, mask, generalize, scrub, ...
  std::string to;      // output path; empty = same as field
  sdk::Value params;   // the rule's remaining keys (e.g. level, keep_first, key)
  Mark mark;
};

struct PolicyConfig {
  std::string name;
  std::int64_t version = 1;
  std::string purpose;  // "analytics" or "outreach"
  std::vector<PolicyRule> rules;
  Mark mark;
};

struct KeyConfig {
  std::string id;       // key id recorded in tokens' audit entries and in handles
  std::string file;     // absolute path; must not be group/world readable
  Mark mark;
  Mark file_mark;       // where `file` is written: problems with the file point here
  bool retired = false; // kept to verify old tokens and open old handles; makes nothing new
};

struct AdminTokenConfig {
  std::string file;  // file holding the bearer token
  std::string role;  // admin, operator or auditor
  Mark mark;
  Mark file_mark;
};

// TLS for a server medgated runs (admin API, HTTP ingress); off while cert_file is empty.
struct ServerTlsConfig {
  std::string cert_file;       // PEM: the server certificate, then any intermediates
  std::string key_file;        // PEM private key; must not be group/world readable
  std::string client_ca_file;  // ingress only: when set, callers must present a certificate it issued
  Mark key_mark;               // --check's problems with the files point here
  bool enabled() const noexcept { return !cert_file.empty(); }
};

struct AdminConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:8580";
  std::vector<AdminTokenConfig> tokens;
  ServerTlsConfig tls;
};

// The HTTP ingress: one server for every source that receives over HTTP
// (FHIR at /fhir, WeChat and SMS callbacks); sources mount paths on it.
struct IngressTokenConfig {
  std::string file;  // file holding one caller's bearer token
  Mark mark;
  Mark file_mark;
};

struct IngressConfig {
  bool enabled = false;  // on when the section is present (and enabled is not false)
  std::string listen = "127.0.0.1:8581";
  std::uint64_t max_body_bytes = 16ull << 20;  // larger request bodies get 413
  int threads = 16;                            // requests served at once
  // When any: every request needs "Authorization: Bearer <one of them>" (401 otherwise).
  std::vector<IngressTokenConfig> tokens;
  ServerTlsConfig tls;
};

struct SpoolConfig {
  std::uint64_t max_bytes = 1ull << 30;       // sources are refused beyond this
  std::uint64_t segment_bytes = 64ull << 20;  // segment file size before rolling
};

struct QuarantineConfig {
  // Quarantined inputs (raw, encrypted at rest) older than this are removed;
  // 0: kept until removed by hand.
  std::int64_t retention_ms = 30LL * 24 * 3600 * 1000;
};

struct DlqConfig {
  // Dead letters older than this are removed (each removal audited as a
  // dlq_drop); 0: kept until replayed or dropped by hand.
  std::int64_t retention_ms = 90LL * 24 * 3600 * 1000;
};

struct PipelineConfig {
  int workers = 2;           // transform worker threads
  int queue_batches = 64;    // bounded ingest queue, in batches
  // Records a group must hold for another worker to start beside it
  // (pipeline/worker_baton.h).
  std::int64_t parallel_min_records = 256;
};

struct IdentityConfig {
  std::string key;  // key id used to derive patient tokens
  // Identifier paths tried in order; the first present one names the patient.
  std::vector<std::string> fields{"subject.resident_id", "subject.mrn"};
};

struct AuditConfig {
  std::string dir;  // default: STATE_DIR/audit
  std::uint64_t segment_bytes = 64ull << 20;
  // Ed25519 private key (PEM) that signs checkpoints; required, and not one
  // of the data keys. verify_key: its public half, optional (checked to match).
  std::string signing_key, verify_key;
  Mark mark;  // the audit: section (or 1:1 when absent)
  Mark signing_key_mark, verify_key_mark;
  std::int64_t checkpoint_interval_ms = 60'000;  // sign new entries at least this often
  std::uint64_t checkpoint_entries = 10'000;     // ... and after this many; 0: only on the timer
  std::int64_t retention_ms = 0;                 // remove older segments; 0: keep forever
};

struct GatewayConfig {
  std::string file;                      // the config file, absolute
  std::string state_dir;                 // spool, cursors, DLQ, quarantine
  std::vector<std::string> plugin_dirs;  // extra plugin directories
  std::vector<KeyConfig> keys;
  IdentityConfig identity;
  AdminConfig admin;
  IngressConfig ingress;
  SpoolConfig spool;
  QuarantineConfig quarantine;
  DlqConfig dlq;
  PipelineConfig pipeline;
  AuditConfig audit;
  std::map<std::string, SourceConfig> sources;
  std::map<std::string, TargetConfig> targets;
  std::vector<RouteConfig> routes;
  std::map<std::string, PolicyConfig> policies;
};

// What the config loader needs to know about installed plugins.
class PluginCatalog {
 public:
  virtual ~PluginCatalog() = default;
  // nullptr when no loaded plugin of that name provides the kind.
  virtual const sdk::OptionList* source_options(const std::string& plugin) const = 0;
  virtual const sdk::OptionList* target_options(const std::string& plugin) const = 0;
  // The names of every loaded plugin, for "unknown plugin" messages.
  virtual std::vector<std::string> plugin_names() const = 0;
  // Semantic checks beyond types (the plugin's validate hook); ok when absent.
  virtual sdk::Status validate_source(const std::string& plugin, const sdk::PluginConfig& c) const = 0;
  virtual sdk::Status validate_target(const std::string& plugin, const sdk::PluginConfig& c) const = 0;
};

// Phase 1: parse the YAML file and read the plugin directories (so plugins can
// be loaded before the rest is validated). Returns nullopt after reporting
// into `diags` when the file cannot be read or parsed.
struct ConfigDocument;  // opaque: holds the parsed YAML
std::shared_ptr<const ConfigDocument> parse_config_file(const std::string& path, Diagnostics& diags);
// The same for text already read; `path` names it in messages and anchors relative paths.
std::shared_ptr<const ConfigDocument> parse_config_text(const std::string& text, const std::string& path,
                                                        Diagnostics& diags);
std::vector<std::string> plugin_dirs(const ConfigDocument& doc, Diagnostics& diags);

// Phase 2: everything else. Reports every problem found (not just the first)
// into `diags`; the result is usable only when diags has no errors.
GatewayConfig build_config(const ConfigDocument& doc, const PluginCatalog& catalog, Diagnostics& diags);

// Only the audit section (with state_dir for its default directory), for the
// offline audit tools: no plugins needed.
AuditConfig read_audit_config(const ConfigDocument& doc, Diagnostics& diags);

}  // namespace medgate::config
