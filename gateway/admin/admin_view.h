// What the admin API may see and do of the running gateway. The daemon
// implements it; the admin server depends only on this, never on the runtime.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "admin/prometheus_text.h"
#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"

namespace medgate::admin {

struct ReloadReport {
  bool applied = false;
  std::string message;                // one line: what happened
  std::vector<std::string> problems;  // FILE:LINE:COL: message, when the new config was invalid
};

// Which dead letters an operation applies to: all of a target's, or those
// with the given idempotency keys; and the role that asked (for the audit log).
struct DeadLetterSelection {
  std::string target;
  std::vector<std::string> keys;  // empty: all
  std::string requested_by;       // admin, operator or auditor
};

class AdminView {
 public:
  virtual ~AdminView() = default;
  // Ready to take input: started, every target runner alive, spool not full.
  virtual bool ready() const = 0;
  virtual void write_metrics(PrometheusText& out) const = 0;
  // JSON documents for /api/v1/status, /plugins and /routes (counts and
  // names only: never record data).
  virtual sdk::Value status() const = 0;
  virtual sdk::Value plugins() const = 0;
  virtual sdk::Value routes() const = 0;

  // Re-reads the config file and applies it, or keeps the running one when
  // the new one is invalid (SIGHUP does the same).
  virtual ReloadReport reload() = 0;

  // Dead letters: per-target counts; a page of one target's entries (with
  // payloads: they are desensitized for that target); replay (back into the
  // target's spool, `progress(done, total)` now and then) and drop.
  virtual sdk::Value dlq_summary() const = 0;
  virtual sdk::Status dlq_entries(const std::string& target, std::size_t offset, std::size_t limit,
                                  sdk::Value& out) const = 0;
  virtual sdk::Status dlq_replay(const DeadLetterSelection& which,
                                 const std::function<void(std::uint64_t done, std::uint64_t total)>& progress,
                                 std::uint64_t& replayed) = 0;
  virtual sdk::Status dlq_drop(const DeadLetterSelection& which, std::uint64_t& dropped) = 0;

  // Quarantine (raw input refused by a source or the gateway, encrypted at
  // rest): per-source counts; a page of one source's entries (time, reason,
  // size: never content); one entry in clear, returned only after a
  // quarantine_open entry naming it and `role` is durable in the audit log.
  // not_found-like errors are invalid_argument; an audit failure is unavailable.
  virtual sdk::Value quarantine_summary() const = 0;
  virtual sdk::Status quarantine_entries(const std::string& source, std::size_t offset, std::size_t limit,
                                         sdk::Value& out) const = 0;
  virtual sdk::Status quarantine_open(const std::string& source, std::size_t entry, const std::string& role,
                                      sdk::Value& out) = 0;
  // Removes the given entries (1-based, as listed; all when empty) and
  // writes a quarantine_drop entry naming the count and `role`; `out` lists
  // the removed entries' numbers, times and reasons.
  virtual sdk::Status quarantine_drop(const std::string& source, const std::vector<std::size_t>& entries,
                                      const std::string& role, sdk::Value& out) = 0;
};

}  // namespace medgate::admin
