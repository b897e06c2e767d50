// The quarantine as operators see it: per source, how many inputs were
// refused and why (never their content), and one input in clear for an
// admin, returned only after the audit log records who read which entry.
#include <openssl/evp.h>

#include <algorithm>
#include <optional>

#include "medgate/sdk/json.h"
#include "runtime/gateway.h"
#include "pipeline/scrub/utf8_text.h"
#include "runtime/log.h"

namespace medgate::runtime {
namespace {
// The audit entry of a removal, written before anything is removed (the
// store's BeforeRemoval): when it cannot be written, nothing is.
spool::BeforeRemoval audit_drop_first(audit::AuditChain& chain, std::string selection, std::string role) {
  return [&chain, selection = std::move(selection), role = std::move(role)](const std::string& source,
                                                                           std::size_t count) {
    sdk::Status s = chain.append_quarantine_drop({source, selection, role, static_cast<std::int64_t>(count)});
    if (s.ok()) return s;
    log(sdk::LogLevel::error, "audit",
        "quarantined inputs of source '" + source + "' were not removed: the audit log cannot record it: " +
            s.message());
    return sdk::Status::Unavailable("the audit log cannot record the drop (" + s.message() +
                                    "); nothing was removed");
  };
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
  std::optional<sdk::Status> audit_result;  // set once the store asked for the audit entry
  const spool::BeforeRemoval audit_first = audit_drop_first(*audit_, entries.empty() ? "all" : "entries", role);
  sdk::Status s = quarantine_->remove_entries(
      source, entries,
      [&](const std::string& name, std::size_t count) { return *(audit_result = audit_first(name, count)); },
      removed);
  if (!s.ok() && audit_result && audit_result->ok()) {
    log(sdk::LogLevel::error, "quarantine",
        "the quarantine of source '" + source + "' could not be rewritten after its drop was audited; the audit "
        "entry stands for a removal that did not happen: " + s.message());
    return sdk::Status::Unavailable("cannot rewrite the quarantine of source '" + source + "': " + s.message() +
                                    " (the audit log records the drop, but nothing was removed)");
  }
  if (!s.ok())
    return s.code() == sdk::StatusCode::invalid_argument || audit_result
               ? s  // no such entry, or the audit log refused: nothing was removed
               : sdk::Status::Unavailable("cannot rewrite the quarantine of source '" + source + "': " + s.message());
  if (!removed.empty())
    log(sdk::LogLevel::info, "quarantine",
        "removed " + std::to_string(removed.size()) + " quarantined input" + (removed.size() == 1 ? "" : "s") +
            " of source '" + source + "' at the request of role " + role + " (audited)");
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
  sdk::Status s = quarantine_->remove_older_than(now - std::chrono::milliseconds(retention_ms),
                                                 audit_drop_first(*audit_, "retention", "medgated"), removed);
  for (const auto& [source, n] : removed)
    log(sdk::LogLevel::info, "quarantine",
        "retention removed " + std::to_string(n) + " quarantined input" + (n == 1 ? "" : "s") + " of source '" +
            source + "' older than quarantine.retention (" + std::to_string(retention_ms / 1000) + " s) (audited)");
  if (!s.ok()) log(sdk::LogLevel::error, "quarantine", "retention: " + s.message());
}

}  // namespace medgate::runtime
