#include "ctl/audit_command.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "audit/audit_query.h"
#include "audit/audit_reader.h"
#include "audit/audit_report.h"
#include "audit/audit_verifier.h"
#include "config/gateway_config.h"
#include "ctl/api_call.h"
#include "medgate/sdk/json.h"
#include "spool/timestamps.h"

namespace medgate::ctl {
namespace {
namespace fs = std::filesystem;

// The config's audit section, when there is a config to read.
struct Defaults {
  bool have = false;
  std::string config;
  config::AuditConfig audit;
};

// 0, or 1 after printing why when a config named with --config cannot be read.
int load_defaults(const std::string& config, bool given, Defaults& out) {
  out.config = config;
  std::error_code ec;
  if (!given && !fs::exists(config, ec)) return 0;
  config::Diagnostics diags;
  auto doc = config::parse_config_file(config, diags);
  if (!doc) {
    if (!given) return 0;
    diags.print(std::cerr);
    return 1;
  }
  config::Diagnostics ignored;  // e.g. a missing signing_key does not matter offline
  out.audit = config::read_audit_config(*doc, ignored);
  out.have = true;
  return 0;
}

bool value_of(const std::vector<std::string>& args, std::size_t& i, std::string& out) {
  if (i + 1 >= args.size()) return false;
  out = args[++i];
  return true;
}

bool parse_time(const std::string& text, std::optional<std::chrono::system_clock::time_point>& out) {
  std::chrono::system_clock::time_point t;
  if (!spool::parse_rfc3339(text, t)) return false;
  out = t;
  return true;
}

// Loads --key files, or the config's audit.verify_key; 0, or 2 after printing why.
int load_keys(const std::vector<std::string>& files, const Defaults& defaults, audit::VerifyOptions& options,
              std::string& source) {
  std::vector<std::string> paths = files;
  if (paths.empty() && defaults.have && !defaults.audit.verify_key.empty()) {
    paths.push_back(defaults.audit.verify_key);
    source = defaults.audit.verify_key + " (audit.verify_key of " + defaults.config + ")";
  }
  for (const auto& p : paths) {
    std::unique_ptr<crypto::Ed25519Key> key;
    if (sdk::Status s = crypto::Ed25519Key::load_public(p, key, "verifying key"); !s.ok()) {
      std::cerr << "medgatectl: " << s.message() << "\n";
      return 2;
    }
    options.keys.push_back(std::move(key));
  }
  return 0;
}

bool parse_anchor(const std::string& text, std::pair<std::uint64_t, std::string>& out) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 19) return false;
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < colon; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    seq = seq * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  std::string hash = text.substr(colon + 1);
  if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos || seq == 0) return false;
  out = {seq, hash};
  return true;
}

sdk::Value to_json(const audit::VerifyReport& r) {
  sdk::Value doc = sdk::Value::object();
  auto n = [](std::uint64_t v) { return sdk::Value(static_cast<std::int64_t>(v)); };
  doc["path"] = r.path;
  doc["intact"] = r.intact();
  if (r.problem) {
    sdk::Value p = sdk::Value::object();
    p["file"] = r.problem->file;
    p["line"] = n(r.problem->line);
    p["seq"] = n(r.problem->seq);
    p["kind"] = r.problem->kind;
    p["detail"] = r.problem->detail;
    p["text"] = r.problem->text();
    doc["problem"] = std::move(p);
  } else {
    doc["problem"] = nullptr;
  }
  auto list = [](const std::vector<std::string>& v) {
    sdk::Value a = sdk::Value::array();
    for (const auto& s : v) a.push_back(s);
    return a;
  };
  doc["warnings"] = list(r.warnings);
  doc["notes"] = list(r.notes);
  doc["single_segment"] = r.single_segment;
  doc["segments"] = n(r.segments);
  doc["first_segment"] = n(r.first_segment);
  doc["last_segment"] = n(r.last_segment);
  doc["first_seq"] = n(r.first_seq);
  doc["last_seq"] = n(r.last_seq);
  doc["last_hash"] = r.last_hash;
  doc["records"] = n(r.records);
  doc["dead_letter_actions"] = n(r.dead_letter_actions);
  doc["quarantine_opens"] = n(r.quarantine_opens);
  doc["quarantine_drops"] = n(r.quarantine_drops);
  doc["handle_opens"] = n(r.handle_opens);
  doc["checkpoints"] = n(r.checkpoints);
  doc["retentions"] = n(r.retentions);
  doc["signatures_checked"] = r.signatures_checked;
  doc["signatures_verified"] = n(r.signatures_verified);
  doc["keys"] = list(r.key_fingerprints);
  if (r.last_signed_seq) {
    sdk::Value s = sdk::Value::object();
    s["seq"] = n(r.last_signed_seq);
    s["hash"] = r.last_signed_hash;
    s["time"] = r.last_signed_time;
    doc["last_signed"] = std::move(s);
  } else {
    doc["last_signed"] = nullptr;
  }
  doc["unsigned_entries"] = n(r.unsigned_entries);
  doc["closed"] = r.closed;
  return doc;
}

int cmd_verify(const Defaults& defaults, const std::vector<std::string>& args) {
  std::string path, value;
  std::vector<std::string> key_files;
  audit::VerifyOptions options;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--key") {
      if (!value_of(args, i, value)) return usage_error("--key needs a file (the verifying public key, PEM)");
      key_files.push_back(value);
    } else if (a == "--anchor") {
      std::pair<std::uint64_t, std::string> anchor;
      if (!value_of(args, i, value) || !parse_anchor(value, anchor))
        return usage_error("--anchor needs SEQ:HASH (a seq and its 64-digit hash, as printed by audit verify)");
      options.anchor = anchor;
    } else if (a == "--closed") {
      options.require_closed = true;
    } else if (a == "--json") {
      json = true;
    } else if (path.empty() && a.rfind("--", 0) != 0) {
      path = a;
    } else {
      return usage_error("audit verify: unexpected argument '" + a + "'");
    }
  }
  if (path.empty()) return usage_error("audit verify needs PATH: the audit directory or one segment file");
  std::error_code ec;
  if (!fs::exists(path, ec)) return usage_error("audit verify: " + path + " does not exist");
  std::string key_source;
  if (int rc = load_keys(key_files, defaults, options, key_source)) return rc;
  audit::VerifyReport report = audit::verify_audit_log(path, options);
  if (json) {
    std::cout << sdk::to_json(to_json(report)) << "\n";
  } else {
    for (const auto& line : audit::describe(report)) std::cout << line << "\n";
    if (report.intact() && !key_source.empty()) std::cout << "note: verifying key " << key_source << "\n";
  }
  return report.intact() ? 0 : 1;
}

// --dir, or the config's audit.dir; empty after printing why.
std::string audit_dir(const std::string& given, const Defaults& defaults) {
  if (!given.empty()) return given;
  if (defaults.have) return defaults.audit.dir;
  std::cerr << "medgatectl: no --dir given, and no readable config (" << defaults.config
            << ") to take audit.dir from\n";
  return "";
}

int cmd_query(const Defaults& defaults, const std::vector<std::string>& args) {
  audit::AuditQuery q;
  std::string dir, value;
  bool json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto text = [&](std::string& out) { return value_of(args, i, out); };
    if (a == "--dir") {
      if (!text(dir)) return usage_error("--dir needs a directory");
    } else if (a == "--since" || a == "--until") {
      if (!text(value) || !parse_time(value, a == "--since" ? q.since : q.until))
        return usage_error(a + " needs a time: YYYY-MM-DD or RFC 3339 (2026-11-23T08:00:00Z)");
    } else if (a == "--source") {
      if (!text(q.source)) return usage_error("--source needs a source name");
    } else if (a == "--target") {
      if (!text(q.target)) return usage_error("--target needs a target name");
    } else if (a == "--rule") {
      if (!text(q.rule)) return usage_error("--rule needs a field path, e.g. subject.phone");
    } else if (a == "--record-id") {
      if (!text(q.record_id)) return usage_error("--record-id needs a record id");
    } else if (a == "--patient-token") {
      if (!text(q.patient_token))
        return usage_error("--patient-token needs a token (medgatectl token --field FIELD VALUE prints it)");
    } else if (a == "--all-types") {
      q.all_types = true;
    } else if (a == "--json") {
      json = true;
    } else {
      return usage_error("audit query: unexpected argument '" + a + "'");
    }
  }
  dir = audit_dir(dir, defaults);
  if (dir.empty()) return 1;
  std::size_t matched = 0, unreadable = 0;
  sdk::Status s = audit::for_each_entry(
      dir,
      [&](const audit::AuditLine& e, std::string_view line, const audit::EntryPlace& place) {
        if (!audit::matches(q, e)) return true;
        ++matched;
        if (json)
          std::cout << line << "\n";
        else
          std::cout << audit::format_entry(e, place);
        return true;
      },
      unreadable);
  if (!s.ok()) {
    std::cerr << "medgatectl: " << s.message() << "\n";
    return 1;
  }
  if (unreadable)
    std::cerr << "medgatectl: warning: " << unreadable
              << " lines are not audit entries and were skipped; run `medgatectl audit verify " << dir << "`\n";
  std::cerr << matched << " matching entr" << (matched == 1 ? "y" : "ies") << "\n";
  return 0;
}

int cmd_report(const Defaults& defaults, const std::vector<std::string>& args) {
  audit::AuditQuery q;
  std::string dir, out, format = "csv", value, since_text, until_text;
  std::vector<std::string> key_files;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--dir") {
      if (!value_of(args, i, dir)) return usage_error("--dir needs a directory");
    } else if (a == "--since" || a == "--until") {
      if (!value_of(args, i, value) || !parse_time(value, a == "--since" ? q.since : q.until))
        return usage_error(a + " needs a time: YYYY-MM-DD or RFC 3339 (2026-11-23T08:00:00Z)");
      (a == "--since" ? since_text : until_text) = value;
    } else if (a == "--format") {
      if (!value_of(args, i, format) || (format != "csv" && format != "html"))
        return usage_error("--format is csv or html");
    } else if (a == "--out") {
      if (!value_of(args, i, out)) return usage_error("--out needs a file");
    } else if (a == "--key") {
      if (!value_of(args, i, value)) return usage_error("--key needs a file (the verifying public key, PEM)");
      key_files.push_back(value);
    } else {
      return usage_error("audit report: unexpected argument '" + a + "'");
    }
  }
  dir = audit_dir(dir, defaults);
  if (dir.empty()) return 1;
  audit::VerifyOptions options;
  std::string key_source;
  if (int rc = load_keys(key_files, defaults, options, key_source)) return rc;

  audit::AuditReport report;
  std::size_t unreadable = 0;
  sdk::Status s = audit::for_each_entry(
      dir,
      [&](const audit::AuditLine& e, std::string_view, const audit::EntryPlace&) {
        if (audit::matches(q, e)) report.add(e);
        return true;
      },
      unreadable);
  if (!s.ok()) {
    std::cerr << "medgatectl: " << s.message() << "\n";
    return 1;
  }
  const audit::VerifyReport verified = audit::verify_audit_log(dir, options);
  std::string text;
  if (format == "csv") {
    text = audit::report_csv(report);
  } else {
    audit::ReportPage page;
    page.log_dir = dir;
    page.generated_at = spool::utc_now_rfc3339();
    page.period = since_text.empty() && until_text.empty()
                      ? "all entries"
                      : (since_text.empty() ? "from the start" : "from " + since_text) +
                            (until_text.empty() ? " to the end" : " until " + until_text + " (exclusive)");
    page.intact = verified.intact();
    page.verification = audit::describe(verified);
    text = audit::report_html(report, page);
  }
  if (out.empty()) {
    std::cout << text;
  } else {
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    if (!(file << text) || !file.flush()) {
      std::cerr << "medgatectl: cannot write " << out << "\n";
      return 1;
    }
  }
  std::cerr << audit::describe(verified).front() << "\n";
  return verified.intact() ? 0 : 1;
}

}  // namespace

int cmd_audit(const std::string& config, bool config_given, const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("audit needs a subcommand: verify, query or report");
  Defaults defaults;
  if (int rc = load_defaults(config, config_given, defaults)) return rc;
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "verify") return cmd_verify(defaults, rest);
  if (args[0] == "query") return cmd_query(defaults, rest);
  if (args[0] == "report") return cmd_report(defaults, rest);
  return usage_error("unknown audit subcommand '" + args[0] + "' (verify, query or report)");
}

}  // namespace medgate::ctl
