// The plugin interfaces: what a source or target implements, and what the
// host offers it. Plugins include only SDK headers.
//
// Exceptions: a plugin may throw from any method below; the host catches it at
// the boundary, reports it with the plugin's name, and keeps running. Prefer
// returning a Status for expected failures.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/options.h"
#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"

#define MEDGATE_SDK_API __attribute__((visibility("default")))

namespace medgate::sdk {

enum class LogLevel { debug, info, warning, error };

// Host services common to sources and targets. Never log personal data.
class MEDGATE_SDK_API PluginContext {
 public:
  virtual ~PluginContext();
  virtual void log(LogLevel level, std::string_view message) = 0;
  // The configured instance name, e.g. "inbox".
  virtual const std::string& instance_name() const = 0;
  // A directory private to this instance for cursors and other state; exists.
  virtual const std::string& state_dir() const = 0;
  // True once the host asked the plugin to stop.
  virtual bool stopping() const = 0;
  // Sleeps up to `d`; returns early (true) when a stop is requested.
  virtual bool wait_for_stop(std::chrono::milliseconds d) = 0;
};

// One record as a source hands it over: a profile-shaped object (see
// docs/profile-schema.md) whose `subject` member carries the raw identifiers
// the gateway desensitizes.
struct Record {
  Value body;
};

// What the gateway did with an emitted batch. `status` is ok when every record
// is durable: spooled for its targets, or quarantined with a reason (listed in
// `rejected`). Only then may the source acknowledge its input.
struct EmitResult {
  struct Rejection {
    std::size_t index;
    std::string reason;
  };
  Status status;
  std::vector<Rejection> rejected;
};

class MEDGATE_SDK_API SourceContext : public PluginContext {
 public:
  ~SourceContext() override;
  // Blocks until the batch is durable or refused (e.g. spool full, stopping).
  virtual EmitResult emit(std::vector<Record> records) = 0;
  // Keeps input the source could not turn into a record (e.g. a line that is
  // not JSON) for inspection, with the reason; it is encrypted at rest by the
  // host and never logged. Returns once it is durable.
  virtual Status quarantine(std::string_view raw, std::string_view reason) = 0;
};

class MEDGATE_SDK_API Source {
 public:
  virtual ~Source();
  // Runs on a host-owned thread until ctx.stopping(), then returns. A returned
  // error (or exception) is reported and the host restarts the source after a
  // backoff.
  virtual Status run(SourceContext& ctx) = 0;
};

// One desensitized record for a target.
struct Delivery {
  std::string idempotency_key;  // stable per record and target across retries
  std::string partition_key;    // the patient token: keeps one patient's events in order
  std::string payload;          // the desensitized profile record as JSON
};

struct Outcome {
  enum class Kind { delivered, retry, rejected };
  Kind kind = Kind::delivered;
  std::string reason;  // for retry and rejected
};

using TargetContext = PluginContext;

class MEDGATE_SDK_API Target {
 public:
  virtual ~Target();
  virtual Status start(TargetContext& ctx);
  // Delivers a batch in order; returns one Outcome per Delivery. Called from
  // one host thread at a time.
  virtual std::vector<Outcome> deliver(const std::vector<Delivery>& batch) = 0;
  // Called before shutdown, and about once a second while there is nothing to
  // deliver; data written so far must be durable after it. A target closes
  // what is time-bound here (e.g. rotates a file that is old enough).
  virtual Status flush();
  virtual void stop();
};

// Factories turn validated config into objects (Envoy's extension factories).
template <typename T>
struct KindSpec {
  OptionList options;
  // Extra checks beyond types, used by `medgated --check` and before create.
  std::function<Status(const PluginConfig&)> validate;
  std::function<std::unique_ptr<T>(const PluginConfig&)> create;
};

struct PluginDefinition {
  std::string name;     // unique, used in config as `plugin: NAME`
  std::string version;  // the plugin's own semantic version
  std::string description;
  std::unique_ptr<KindSpec<Source>> source;  // set when the plugin provides a source
  std::unique_ptr<KindSpec<Target>> target;  // set when the plugin provides a target
};

}  // namespace medgate::sdk
