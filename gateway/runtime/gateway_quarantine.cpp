// The quarantine as operators see it: per source, how many inputs were
// refused and why (never their content), and one input in clear for an
// admin, returned only after the audit log records who read which entry.
#include <openssl/evp.h>

#include <algorithm>

#include "medgate/sdk/json.h"
#include "runtime/gateway.h"
#include "pipeline/scrub/utf8_text.h"
#include "runtime/log.h"

namespace medgate::runtime {
namespace {
void append_drop_audit(audit::AuditChain& chain, const audit::QuarantineDropAudit& a) {
  if (sdk::Status s = chain.append_quarantine_drop(a); !s.ok())
    log(sdk::LogLevel::error, "audit",
        "quarantined inputs of source '" + a.source + "' were removed but the audit entry could not be written: " +
            s.message());
}
}  // namespace

sdk::Value Gateway::quarantine_summary() const {
  sdk::Value::Array sources;
  for (const auto& [name, source] : checked_.config.sources) {
    const std::vector<spool::QuarantineEntry> entries = quarantine_->entries(name);
    sdk::Value v = sdk::Value::object();
    v["source"] = name;
    v["entries"] = static_cast<std::int64_t>(entries.size());
    std::int64_t bytes = 0;
    for (const auto& e : entries)
      if (const sdk::Value* b = e.value.find("bytes"); b && b->is_int()) bytes += b->as_int();
    v["bytes"] = bytes;
    if (!entries.empty()) {
      v["oldest"] = std::string(entries.front().value.string_or("time", ""));
      v["newest"] = std::string(entries.back().value.string_or("time", ""));
    }
    sources.push_back(std::move(v));
  }
  sdk::Value doc = sdk::Value::object();
  doc["sources"] = sdk::Value(std::move(sources));
  return doc;
}

sdk::Status Gateway::quarantine_entries(const std::string& source, std::size_t offset, std::size_t limit,
                                        sdk::Value& out) const {
  if (!checked_.config.sources.count(source))
    return sdk::Status::Invalid("no source named '" + source + "' in the running config");
  const std::vector<spool::QuarantineEntry> entries = quarantine_->entries(source);
  sdk::Value::Array list;
  for (std::size_t i = offset; i < entries.size() && list.size() < limit; ++i) {
    const sdk::Value& e = entries[i].value;
    sdk::Value v = sdk::Value::object();
    v["entry"] = static_cast<std::int64_t>(entries[i].entry);
    v["time"] = std::string(e.string_or("time", ""));
    v["reason"] = std::string(e.is_object() ? e.string_or("reason", "") : "(unreadable line)");
    if (const sdk::Value* b = e.find("bytes"); b && b->is_int()) v["bytes"] = b->as_int();
    list.push_back(std::move(v));
  }
  out = sdk::Value::object();
  out["source"] = source;
  out["total"] = static_cast<std::int64_t>(entries.size());
  out["offset"] = static_cast<std::int64_t>(offset);
  out["entries"] = sdk::Value(std::move(list));
  return sdk::Status::Ok();
}

sdk::Status Gateway::quarantine_open(const std::string& source, std::size_t entry, const std::string& role,
                                     sdk::Value& out) {
  if (!checked_.config.sources.count(source))
    return sdk::Status::Invalid("no source named '" + source + "' in the running config");
  const std::vector<spool::QuarantineEntry> entries = quarantine_->entries(source);
  auto found = std::find_if(entries.begin(), entries.end(),
                            [entry](const spool::QuarantineEntry& e) { return e.entry == entry; });
  if (found == entries.end())
    return sdk::Status::Invalid("source '" + source + "' has " + std::to_string(entries.size()) +
                                " quarantined inputs; there is no entry " + std::to_string(entry));
  const sdk::Value& e = found->value;
  std::string raw;
  if (sdk::Status s = quarantine_->open_sealed(e.string_or("sealed", ""), raw); !s.ok())
    return sdk::Status::Invalid("entry " + std::to_string(entry) + " cannot be opened: " + s.message());
  // The read is on record before anything is shown.
  audit::QuarantineOpenAudit a{source, entry, std::string(e.string_or("time", "")), role};
  if (sdk::Status s = audit_->append_quarantine_open(a); !s.ok())
    return sdk::Status::Unavailable("the audit log cannot record the read (" + s.message() +
                                    "); the entry is not shown");
  log(sdk::LogLevel::info, "quarantine",
      "entry " + std::to_string(entry) + " of source '" + source + "' read in clear by role " + role + " (audited)");
  out = sdk::Value::object();
  out["source"] = source;
  out["entry"] = static_cast<std::int64_t>(entry);
  out["time"] = std::string(e.string_or("time", ""));
  out["reason"] = std::string(e.string_or("reason", ""));
  out["bytes"] = static_cast<std::int64_t>(raw.size());
  if (pipeline::scrub::is_valid_utf8(raw)) {
    out["raw"] = std::move(raw);
  } else {  // e.g. GB 18030 bytes of a message that could not be parsed: JSON cannot carry them as text
    std::string b64(4 * ((raw.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                            reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    b64.resize(static_cast<std::size_t>(n));
    out["raw_base64"] = std::move(b64);
  }
  return sdk::Status::Ok();
}

sdk::Status Gateway::quarantine_drop(const std::string& source, const std::vector<std::size_t>& entries,
                                     const std::string& role, sdk::Value& out) {
  if (!checked_.config.sources.count(source))
    return sdk::Status::Invalid("no source named '" + source + "' in the running config");
  std::vector<spool::RemovedQuarantineEntry> removed;
  if (sdk::Status s = quarantine_->remove_entries(source, entries, removed); !s.ok())
    return s.code() == sdk::StatusCode::invalid_argument
               ? s
               : sdk::Status::Unavailable("cannot rewrite the quarantine of source '" + source + "': " + s.message());
  if (!removed.empty()) {
    log(sdk::LogLevel::info, "quarantine",
        "removed " + std::to_string(removed.size()) + " quarantined input" + (removed.size() == 1 ? "" : "s") +
            " of source '" + source + "' at the request of role " + role + " (audited)");
    append_drop_audit(*audit_, {source, entries.empty() ? "all" : "entries", role,
                                static_cast<std::int64_t>(removed.size())});
  }
  sdk::Value::Array list;
  for (const auto& r : removed) {
    sdk::Value v = sdk::Value::object();
    v["entry"] = static_cast<std::int64_t>(r.entry);
    v["time"] = r.time;
    v["reason"] = r.reason;
    list.push_back(std::move(v));
  }
  out = sdk::Value::object();
  out["source"] = source;
  out["dropped"] = static_cast<std::int64_t>(removed.size());
  out["entries"] = sdk::Value(std::move(list));
  return sdk::Status::Ok();
}

void Gateway::apply_quarantine_retention(std::chrono::system_clock::time_point now) {
  const std::int64_t retention_ms = checked_.config.quarantine.retention_ms;
  if (retention_ms <= 0) return;
  std::vector<std::pair<std::string, std::size_t>> removed;
  sdk::Status s = quarantine_->remove_older_than(now - std::chrono::milliseconds(retention_ms), removed);
  for (const auto& [source, n] : removed) {
    log(sdk::LogLevel::info, "quarantine",
        "retention removed " + std::to_string(n) + " quarantined input" + (n == 1 ? "" : "s") + " of source '" +
            source + "' older than quarantine.retention (" + std::to_string(retention_ms / 1000) + " s)");
    append_drop_audit(*audit_, {source, "retention", "medgated", static_cast<std::int64_t>(n)});
  }
  if (!s.ok()) log(sdk::LogLevel::error, "quarantine", "retention: " + s.message());
}

}  // namespace medgate::runtime
