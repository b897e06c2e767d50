// YAML -> GatewayConfig. Every section is read with MapReader so that unknown
// keys, wrong types and bad references are all reported with their position.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "config/gateway_config.h"
#include "config/option_validator.h"
#include "config/yaml_reader.h"

namespace medgate::config {

struct ConfigDocument {
  std::string file;      // as given, for messages
  std::string absolute;  // absolute path
  std::string base_dir;
  YAML::Node root;
};

namespace {
constexpr const char* kDefaultStateDir = "/var/lib/medgate";
constexpr std::int64_t kMaxDeliveryIntervalMs = 60'000;

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "none" : out;
}

bool valid_instance_name(const std::string& name) {
  static const std::regex re("[a-z0-9][a-z0-9_-]{0,62}");
  return std::regex_match(name, re);
}

bool is_key_id(const std::string& id) {
  static const std::regex re("[A-Za-z0-9_-]{1,64}");
  return std::regex_match(id, re);
}

void read_audit_section(const YAML::Node& node, Mark key_mark, const std::string& state_dir, const ReadContext& ctx,
                        AuditConfig& audit) {
  MapReader r(node, "audit", ctx);
  audit.dir = (std::filesystem::path(state_dir) / "audit").string();
  audit.mark = key_mark.line ? key_mark : Mark{1, 1};
  if (!r.valid()) return;
  r.take_path("dir", audit.dir);
  r.take_size("segment_bytes", audit.segment_bytes, 64 << 10);
  audit.signing_key_mark = r.value_mark("signing_key");
  audit.verify_key_mark = r.value_mark("verify_key");
  if (!r.take_path("signing_key", audit.signing_key) && !r.has("signing_key"))
    ctx.error(node.IsMap() ? r.mark() : audit.mark,
              "missing required key 'audit.signing_key': the Ed25519 private key that signs audit checkpoints (make "
              "one with `openssl genpkey -algorithm ed25519 -out FILE`, mode 0600; see docs/audit.md)");
  r.take_path("verify_key", audit.verify_key);
  r.take_duration("checkpoint_interval", audit.checkpoint_interval_ms, 1000);
  std::int64_t entries = static_cast<std::int64_t>(audit.checkpoint_entries);
  if (r.take_int("checkpoint_entries", entries, 0, 100'000'000))
    audit.checkpoint_entries = static_cast<std::uint64_t>(entries);
  r.take_duration("retention", audit.retention_ms, 60'000);  // absent: keep forever
  r.finish();
}

class ConfigBuilder {
 public:
  ConfigBuilder(const ConfigDocument& doc, const PluginCatalog& catalog, Diagnostics& diags)
      : doc_(doc), catalog_(catalog), ctx_{doc.file, doc.base_dir, diags} {}

  GatewayConfig build() {
    cfg_.file = doc_.absolute;
    MapReader root(doc_.root, "", ctx_);
    if (!root.valid()) return cfg_;
    cfg_.state_dir = kDefaultStateDir;
    root.take_path("state_dir", cfg_.state_dir);
    {
      Diagnostics quiet;  // plugin_dirs was read (and reported) before plugins were loaded
      ReadContext q{doc_.file, doc_.base_dir, quiet};
      MapReader again(doc_.root, "", q);
      std::vector<std::string> dirs;
      if (again.take_string_list("plugin_dirs", dirs))
        for (auto& d : dirs) cfg_.plugin_dirs.push_back(q.resolve_path(d));
      root.take("plugin_dirs");
    }
    read_keys(root.take("keys"), root.key_mark("keys"));
    read_identity(root.take("identity"));
    read_admin(root.take("admin"));
    read_ingress(root.take("ingress"));
    read_spool(root.take("spool"));
    read_retention(root.take("quarantine"), "quarantine", "quarantined inputs", cfg_.quarantine.retention_ms);
    read_retention(root.take("dlq"), "dlq", "dead letters", cfg_.dlq.retention_ms);
    read_pipeline(root.take("pipeline"));
    read_audit(root.take("audit"), root.key_mark("audit"));
    read_sources(root.take("sources"));
    read_targets(root.take("targets"));
    read_policies(root.take("policies"));
    read_routes(root.take("routes"), root.key_mark("routes"), root.has("routes"));
    root.finish();
    return cfg_;
  }

 private:
  void read_keys(const YAML::Node& node, Mark) {
    if (!node.IsDefined() || node.IsNull()) return;
    if (!node.IsSequence()) {
      ctx_.error(node, std::string("'keys' must be a list of {id, file}, not ") + yaml_kind(node));
      return;
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < node.size(); ++i) {
      MapReader r(node[i], "keys[" + std::to_string(i) + "]", ctx_);
      if (!r.valid()) continue;
      KeyConfig k;
      k.mark = r.mark();
      k.file_mark = r.value_mark("file");
      r.take_string("id", k.id, true);
      r.take_path("file", k.file, true);
      r.take_bool("retired", k.retired);
      if (!k.id.empty() && !is_key_id(k.id)) {
        ctx_.error(r.value_mark("id"), "key id '" + k.id + "' must be 1 to 64 letters, digits, '-' or '_' (it is "
                                       "written into audit entries and encrypted handles)");
        k.id.clear();
      }
      if (r.has("value") || r.has("secret") || r.has("key"))
        ctx_.error(r.mark(), "'" + r.where() + "': keys are never written inline; put the key in a file (mode 0600) "
                                              "and name it with 'file'");
      r.take("value"), r.take("secret"), r.take("key");
      r.finish();
      if (k.id.empty()) continue;
      if (!ids.insert(k.id).second) {
        ctx_.error(k.mark, "key id '" + k.id + "' is declared twice");
        continue;
      }
      cfg_.keys.push_back(std::move(k));
    }
  }

  bool key_declared(const std::string& id) const {
    for (const auto& k : cfg_.keys)
      if (k.id == id) return true;
    return false;
  }

  std::vector<std::string> active_keys() const {
    std::vector<std::string> ids;
    for (const auto& k : cfg_.keys)
      if (!k.retired) ids.push_back(k.id);
    return ids;
  }

  bool key_retired(const std::string& id) const {
    for (const auto& k : cfg_.keys)
      if (k.id == id) return k.retired;
    return false;
  }

  void read_identity(const YAML::Node& node) {
    MapReader r(node, "identity", ctx_);
    if (!r.valid()) return;
    YAML::Node key = r.take("key");
    r.take("key");
    std::string id;
    std::string why;
    if (key.IsDefined() && !key.IsNull()) {
      if (!read_string(key, id, why)) ctx_.error(key, "'identity.key' " + why);
      else if (!key_declared(id))
        ctx_.error(key, "'identity.key' names key '" + id + "', which is not declared under keys: (declared: " +
                            join(key_ids()) + ")");
      else if (key_retired(id))
        ctx_.error(key, "'identity.key' names key '" + id + "', which is retired: new patient tokens need an "
                        "active key");
    } else if (active_keys().size() == 1) {
      id = active_keys().front();  // after a rotation: the one key not retired
    } else if (cfg_.keys.size() == 1) {
      id = cfg_.keys.front().id;
      ctx_.error(cfg_.keys.front().mark, "the only key, '" + id + "', is retired: new patient tokens need an "
                                         "active key");
    } else {
      ctx_.error(node.IsDefined() ? r.mark() : Mark{1, 1},
                 cfg_.keys.empty() ? "no key declared under keys: patient tokens need one (see docs/configuration.md)"
                                   : "'identity.key' must name the key that derives patient tokens (it may be omitted when exactly one key is not retired)");
    }
    cfg_.identity.key = id;
    r.take_string_list("fields", cfg_.identity.fields);
    if (cfg_.identity.fields.empty()) ctx_.error(r.key_mark("fields"), "'identity.fields' must not be empty");
    r.finish();
  }

  std::vector<std::string> key_ids() const {
    std::vector<std::string> ids;
    for (const auto& k : cfg_.keys) ids.push_back(k.id);
    return ids;
  }

  // Reads `listen` of section `section` into `out`, checking HOST:PORT.
  void read_listen(MapReader& r, const std::string& section, std::string& out, const char* example) {
    if (!r.take_string("listen", out)) return;
    static const std::regex re(R"(([0-9A-Za-z.\-]+|\[[0-9a-fA-F:]+\]):([0-9]{1,5}))");
    std::smatch m;
    if (!std::regex_match(out, m, re) || std::stoi(m[2]) > 65535)
      ctx_.error(r.take("listen"), "'" + section + ".listen' must be HOST:PORT, e.g. " + example);
  }

  // SECTION.tokens: a list of mappings (`shape` for the error), each read by
  // `each` from its MapReader, which is finished afterwards.
  template <typename Each>
  void read_token_files(MapReader& r, const std::string& section, const char* shape, Each each) {
    YAML::Node tokens = r.take("tokens");
    if (!tokens.IsDefined() || tokens.IsNull()) return;
    if (!tokens.IsSequence()) {
      ctx_.error(tokens, "'" + section + ".tokens' must be a list of " + shape + ", not " + yaml_kind(tokens));
      return;
    }
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      MapReader t(tokens[i], section + ".tokens[" + std::to_string(i) + "]", ctx_);
      if (!t.valid()) continue;
      each(t);
      t.finish();
    }
  }

  // `SECTION.tls: {cert, key[, client_ca]}`.
  void read_server_tls(MapReader& r, const std::string& section, ServerTlsConfig& out, bool client_ca) {
    YAML::Node node = r.take("tls");
    if (!node.IsDefined() || node.IsNull()) return;
    MapReader t(node, section + ".tls", ctx_);
    if (!t.valid()) return;
    out.key_mark = t.value_mark("key");
    t.take_path("cert", out.cert_file, true);
    t.take_path("key", out.key_file, true);
    if (client_ca) t.take_path("client_ca", out.client_ca_file);
    t.finish();
  }

  void read_ingress(const YAML::Node& node) {
    if (!node.IsDefined() || node.IsNull()) return;
    MapReader r(node, "ingress", ctx_);
    if (!r.valid()) return;
    cfg_.ingress.enabled = true;
    r.take_bool("enabled", cfg_.ingress.enabled);
    read_listen(r, "ingress", cfg_.ingress.listen, "127.0.0.1:8581");
    r.take_size("max_body_bytes", cfg_.ingress.max_body_bytes, 1024);
    std::int64_t v = cfg_.ingress.threads;
    if (r.take_int("threads", v, 1, 256)) cfg_.ingress.threads = static_cast<int>(v);
    read_token_files(r, "ingress", "{file}", [&](MapReader& t) {
      IngressTokenConfig tok;
      tok.mark = t.mark();
      tok.file_mark = t.value_mark("file");
      t.take_path("file", tok.file, true);
      cfg_.ingress.tokens.push_back(std::move(tok));
    });
    read_server_tls(r, "ingress", cfg_.ingress.tls, true);
    r.finish();
  }

  void read_admin(const YAML::Node& node) {
    MapReader r(node, "admin", ctx_);
    if (!r.valid()) return;
    r.take_bool("enabled", cfg_.admin.enabled);
    read_listen(r, "admin", cfg_.admin.listen, "127.0.0.1:8580");
    read_token_files(r, "admin", "{file, role}", [&](MapReader& t) {
      AdminTokenConfig tok;
      tok.mark = t.mark();
      tok.file_mark = t.value_mark("file");
      t.take_path("file", tok.file, true);
      if (t.take_string("role", tok.role, true) && tok.role != "admin" && tok.role != "operator" &&
          tok.role != "auditor")
        ctx_.error(t.take("role"), "'" + t.path_of("role") + "' must be admin, operator or auditor, not '" +
                                       tok.role + "'");
      cfg_.admin.tokens.push_back(std::move(tok));
    });
    // No client certificates here: the admin API authenticates by bearer token and role.
    read_server_tls(r, "admin", cfg_.admin.tls, false);
    r.finish();
  }

  void read_spool(const YAML::Node& node) {
    MapReader r(node, "spool", ctx_);
    if (!r.valid()) return;
    r.take_size("max_bytes", cfg_.spool.max_bytes, 1 << 20);
    r.take_size("segment_bytes", cfg_.spool.segment_bytes, 64 << 10);
    if (cfg_.spool.segment_bytes > cfg_.spool.max_bytes)
      ctx_.error(r.key_mark("segment_bytes"), "'spool.segment_bytes' must not exceed 'spool.max_bytes'");
    r.finish();
  }

  // A section holding only `retention` (quarantine, dlq): 0 keeps `what`
  // until removed by hand, else at least a minute.
  void read_retention(const YAML::Node& node, const std::string& section, const std::string& what,
                      std::int64_t& retention) {
    MapReader r(node, section, ctx_);
    if (!r.valid()) return;
    if (r.take_duration("retention", retention, 0) && retention != 0 && retention < 60'000)
      ctx_.error(r.value_mark("retention"),
                 "'" + section + ".retention' must be 0 (keep " + what + " until removed by hand) or at least 1m");
    r.finish();
  }

  void read_pipeline(const YAML::Node& node) {
    MapReader r(node, "pipeline", ctx_);
    if (!r.valid()) return;
    std::int64_t v = cfg_.pipeline.workers;
    if (r.take_int("workers", v, 1, 64)) cfg_.pipeline.workers = static_cast<int>(v);
    v = cfg_.pipeline.queue_batches;
    if (r.take_int("queue_batches", v, 1, 4096)) cfg_.pipeline.queue_batches = static_cast<int>(v);
    r.take_int("parallel_min_records", cfg_.pipeline.parallel_min_records, 1, 1'000'000);
    r.finish();
  }

  void read_audit(const YAML::Node& node, Mark key_mark) {
    read_audit_section(node, key_mark, cfg_.state_dir, ctx_, cfg_.audit);
    for (const auto& k : cfg_.keys)
      if (!cfg_.audit.signing_key.empty() && k.file == cfg_.audit.signing_key)
        ctx_.error(cfg_.audit.signing_key_mark,
                   "'audit.signing_key' must not be a data key file (it is the file of "
                   "key '" +
                       k.id + "'): sign the audit log with its own Ed25519 key");
  }

  // `plugin:` and `config:` of a source or target; false when unusable.
  bool read_instance(MapReader& r, const std::string& name, Mark name_mark, bool is_source,
                     PluginInstanceConfig& inst) {
    inst.name = name;
    inst.mark = name_mark;
    if (!valid_instance_name(name))
      ctx_.error(name_mark, "'" + r.where() + "': instance names use a-z, 0-9, '-' and '_' (at most 63)");
    YAML::Node plugin = r.take("plugin");
    YAML::Node section = r.take("config");
    std::string why;
    if (!plugin.IsDefined()) {
      ctx_.error(r.mark(), "missing required key '" + r.path_of("plugin") + "'");
      return false;
    }
    if (!read_string(plugin, inst.plugin, why)) {
      ctx_.error(plugin, "'" + r.path_of("plugin") + "' " + why);
      return false;
    }
    const sdk::OptionList* options =
        is_source ? catalog_.source_options(inst.plugin) : catalog_.target_options(inst.plugin);
    if (!options) {
      auto names = catalog_.plugin_names();
      bool known = std::find(names.begin(), names.end(), inst.plugin) != names.end();
      std::string msg = known ? "plugin '" + inst.plugin + "' provides no " + (is_source ? "source" : "target")
                              : "unknown plugin '" + inst.plugin + "' (loaded plugins: " + join(names) + ")";
      if (!known)
        if (std::string near = closest(inst.plugin, names); !near.empty()) msg += "; did you mean '" + near + "'?";
      ctx_.error(plugin, msg);
      return false;
    }
    if (!validate_options(section, r.key_mark("plugin"), r.path_of("config"), *options, ctx_, inst.options))
      return false;
    sdk::Status s = is_source ? catalog_.validate_source(inst.plugin, inst.options)
                              : catalog_.validate_target(inst.plugin, inst.options);
    if (!s.ok()) {
      ctx_.error(section.IsDefined() ? mark_of(section) : name_mark, "'" + r.path_of("config") + "': " + s.message());
      return false;
    }
    return true;
  }

  template <typename F>
  void for_each_named(const YAML::Node& node, const std::string& section, F&& read_one) {
    MapReader all(node, section, ctx_);
    if (!all.valid()) return;
    for (auto& [name, value] : all.entries()) {
      all.take(name);
      MapReader r(value, section + "." + name, ctx_);
      if (!r.valid()) continue;
      read_one(name, all.key_mark(name), r);
      r.finish();
    }
  }

  void read_sources(const YAML::Node& node) {
    for_each_named(node, "sources", [&](const std::string& name, Mark m, MapReader& r) {
      SourceConfig s;
      if (read_instance(r, name, m, true, s)) cfg_.sources.emplace(name, std::move(s));
      else declared_.insert("sources." + name);
    });
  }

  void read_targets(const YAML::Node& node) {
    for_each_named(node, "targets", [&](const std::string& name, Mark m, MapReader& r) {
      TargetConfig t;
      std::int64_t batch = static_cast<std::int64_t>(t.batch_max);
      if (r.take_int("batch_max", batch, 1, 100000)) t.batch_max = static_cast<std::size_t>(batch);
      r.take_duration("retry_initial", t.retry_initial_ms, 1);
      r.take_duration("retry_max", t.retry_max_ms, 1);
      r.take_int("circuit_failures", t.circuit_failures, 1, 1000);
      if (r.take_duration("delivery_interval", t.delivery_interval_ms, 0) &&
          t.delivery_interval_ms > kMaxDeliveryIntervalMs)
        ctx_.error(r.value_mark("delivery_interval"),
                   "'" + r.path_of("delivery_interval") + "' must be at most 60s (it delays deliveries up to that)");
      r.take_bool("open_handles", t.open_handles);
      if (t.retry_initial_ms > t.retry_max_ms)
        ctx_.error(r.key_mark("retry_initial"), "'" + r.path_of("retry_initial") + "' must not exceed retry_max");
      if (read_instance(r, name, m, false, t)) cfg_.targets.emplace(name, std::move(t));
      else declared_.insert("targets." + name);
    });
  }

  void read_policies(const YAML::Node& node) {
    for_each_named(node, "policies", [&](const std::string& name, Mark m, MapReader& r) {
      PolicyConfig p;
      p.name = name;
      p.mark = m;
      r.take_int("version", p.version, 1, 1'000'000);
      if (r.take_string("purpose", p.purpose, true) && p.purpose != "analytics" && p.purpose != "outreach")
        ctx_.error(r.take("purpose"), "'" + r.path_of("purpose") + "' must be analytics or outreach, not '" +
                                          p.purpose + "'");
      YAML::Node rules = r.take("rules");
      if (!rules.IsDefined() || rules.IsNull()) {
        ctx_.error(m, "missing required key '" + r.path_of("rules") + "' (a policy is an allowlist of rules)");
      } else if (!rules.IsSequence()) {
        ctx_.error(rules, "'" + r.path_of("rules") + "' must be a list, not " + yaml_kind(rules));
      } else {
        for (std::size_t i = 0; i < rules.size(); ++i) {
          MapReader rr(rules[i], r.path_of("rules") + "[" + std::to_string(i) + "]", ctx_);
          if (!rr.valid()) continue;
          PolicyRule rule;
          rule.mark = rr.mark();
          rr.take_string("field", rule.field, true);
          rr.take_string("method", rule.method, true);
          rr.take_string("to", rule.to);
          rule.params = sdk::Value::object();
          // Remaining keys are the method's parameters; the method checks them.
          for (auto& [k, v] : rr.entries()) {
            if (k == "field" || k == "method" || k == "to") continue;
            rr.take(k);
            rule.params[k] = to_value(v);
          }
          rr.finish();
          p.rules.push_back(std::move(rule));
        }
      }
      cfg_.policies.emplace(name, std::move(p));
    });
  }

  // A reference to a source/target: known, or declared but broken (already
  // reported), or unknown (reported here).
  void check_ref(const YAML::Node& at, const std::string& section, const std::string& name, bool found) {
    if (found || declared_.count(section + "." + name)) return;
    std::vector<std::string> names;
    if (section == "sources")
      for (const auto& [n, _] : cfg_.sources) names.push_back(n);
    else
      for (const auto& [n, _] : cfg_.targets) names.push_back(n);
    ctx_.error(at, "route names unknown " + std::string(section == "sources" ? "source" : "target") + " '" + name +
                       "' (declared: " + join(names) + ")");
  }

  void read_routes(const YAML::Node& node, Mark key_mark, bool present) {
    if (!present || node.IsNull()) {
      if (!cfg_.sources.empty()) ctx_.error(key_mark.line ? key_mark : Mark{1, 1}, "no routes: declare where each source's records go");
      return;
    }
    if (!node.IsSequence()) {
      ctx_.error(node, std::string("'routes' must be a list, not ") + yaml_kind(node));
      return;
    }
    std::set<std::string> names;
    for (std::size_t i = 0; i < node.size(); ++i) {
      MapReader r(node[i], "routes[" + std::to_string(i) + "]", ctx_);
      if (!r.valid()) continue;
      RouteConfig route;
      route.mark = r.mark();
      route.name = "route-" + std::to_string(i + 1);
      r.take_string("name", route.name);
      if (!names.insert(route.name).second) ctx_.error(r.key_mark("name"), "route name '" + route.name + "' is used twice");
      r.take_string_list("from", route.from, true);
      r.take_string_list("to", route.to, true);
      r.take_string("policy", route.policy, true);
      YAML::Node from = r.take("from"), to = r.take("to"), policy = r.take("policy");
      for (std::size_t j = 0; j < route.from.size(); ++j)
        check_ref(from.IsSequence() ? from[j] : from, "sources", route.from[j], cfg_.sources.count(route.from[j]) != 0);
      for (std::size_t j = 0; j < route.to.size(); ++j)
        check_ref(to.IsSequence() ? to[j] : to, "targets", route.to[j], cfg_.targets.count(route.to[j]) != 0);
      if (!route.policy.empty() && !cfg_.policies.count(route.policy)) {
        std::vector<std::string> known;
        for (const auto& [n, _] : cfg_.policies) known.push_back(n);
        ctx_.error(policy, "route names unknown policy '" + route.policy + "' (declared: " + join(known) + ")");
      }
      r.finish();
      cfg_.routes.push_back(std::move(route));
    }
  }

  const ConfigDocument& doc_;
  const PluginCatalog& catalog_;
  ReadContext ctx_;
  GatewayConfig cfg_;
  std::set<std::string> declared_;  // instances declared but invalid (already reported)
};
}  // namespace

std::shared_ptr<const ConfigDocument> parse_config_file(const std::string& path, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(path, {1, 1}, "cannot open config file: " + std::string(std::strerror(errno)));
    return nullptr;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_config_text(text.str(), path, diags);
}

std::shared_ptr<const ConfigDocument> parse_config_text(const std::string& text, const std::string& path,
                                                        Diagnostics& diags) {
  auto doc = std::make_shared<ConfigDocument>();
  doc->file = path;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  doc->absolute = abs.lexically_normal().string();
  doc->base_dir = abs.parent_path().lexically_normal().string();
  try {
    doc->root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    diags.error(path, {e.mark.line + 1, e.mark.column + 1}, "YAML syntax error: " + e.msg);
    return nullptr;
  } catch (const YAML::Exception& e) {
    diags.error(path, {1, 1}, std::string("YAML error: ") + e.what());
    return nullptr;
  }
  if (!doc->root.IsDefined() || doc->root.IsNull()) {
    diags.error(path, {1, 1}, "config file is empty");
    return nullptr;
  }
  if (!doc->root.IsMap()) {
    diags.error(path, mark_of(doc->root), std::string("the config must be a mapping, not ") + yaml_kind(doc->root));
    return nullptr;
  }
  return doc;
}

std::vector<std::string> plugin_dirs(const ConfigDocument& doc, Diagnostics& diags) {
  ReadContext ctx{doc.file, doc.base_dir, diags};
  MapReader root(doc.root, "", ctx);
  std::vector<std::string> dirs;
  root.take_string_list("plugin_dirs", dirs);
  for (auto& d : dirs) d = ctx.resolve_path(d);
  return dirs;
}

GatewayConfig build_config(const ConfigDocument& doc, const PluginCatalog& catalog, Diagnostics& diags) {
  return ConfigBuilder(doc, catalog, diags).build();
}

AuditConfig read_audit_config(const ConfigDocument& doc, Diagnostics& diags) {
  ReadContext ctx{doc.file, doc.base_dir, diags};
  std::string state_dir = kDefaultStateDir;
  std::string why;
  if (YAML::Node s = doc.root["state_dir"]; s.IsDefined() && read_string(s, state_dir, why) && !state_dir.empty())
    state_dir = ctx.resolve_path(state_dir);
  AuditConfig audit;
  MapReader root(doc.root, "", ctx);
  read_audit_section(root.take("audit"), root.key_mark("audit"), state_dir, ctx, audit);
  return audit;
}

}  // namespace medgate::config
