// What the admin API sees of the gateway: readiness, metrics, status, plugins
// and routes. Counts and names only, never record data.
#include <sys/stat.h>

#include <ctime>

#include "medgate/sdk/version.h"
#include "runtime/gateway.h"

namespace medgate::runtime {
namespace {
using admin::Labels;
using sdk::Value;

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double age_seconds(std::int64_t since_ms, std::int64_t now_ms) {
  return since_ms == 0 ? 0.0 : static_cast<double>(std::max<std::int64_t>(0, now_ms - since_ms)) / 1000.0;
}

std::uint64_t file_bytes(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Value string_array(const std::vector<std::string>& v) {
  Value::Array a;
  for (const auto& s : v) a.emplace_back(s);
  return Value(std::move(a));
}
}  // namespace

bool Gateway::ready() const {
  if (!running_) return false;
  for (const auto& t : targets_)
    if (!t->running()) return false;
  // A full spool means sources are being refused: not ready for more input.
  return budget_->used() < budget_->max() && !budget_->refusing();
}

PipelineProgress Gateway::progress() const {
  return {pipeline_->queued_batches(), pipeline_->counters().groups_finished.load()};
}

void Gateway::write_metrics(admin::PrometheusText& out) const {
  const std::int64_t now_ms = now_unix_ms();
  out.family("medgate_up", "gauge", "1 while the gateway is running");
  out.sample("medgate_up", {}, running_ ? 1 : 0);

  out.family("medgate_source_records_total", "counter",
             "Records from a source by outcome: accepted (durable for its targets) or rejected (quarantined)");
  for (const auto& s : sources_) {
    const auto& c = s->counters();
    out.sample("medgate_source_records_total", {{"source", s->instance_name()}, {"outcome", "accepted"}},
               static_cast<double>(c.accepted.load()));
    out.sample("medgate_source_records_total", {{"source", s->instance_name()}, {"outcome", "rejected"}},
               static_cast<double>(c.rejected.load()));
  }
  out.family("medgate_source_quarantined_inputs_total", "counter",
             "Raw inputs a source could not parse and quarantined (encrypted)");
  for (const auto& s : sources_)
    out.sample("medgate_source_quarantined_inputs_total", {{"source", s->instance_name()}},
               static_cast<double>(s->counters().quarantined_raw.load()));
  out.family("medgate_source_batches_refused_total", "counter",
             "Batches refused as a whole (spool full, or not durable); the source must not acknowledge them");
  for (const auto& s : sources_)
    out.sample("medgate_source_batches_refused_total", {{"source", s->instance_name()}},
               static_cast<double>(s->counters().batches_refused.load()));
  out.family("medgate_source_failures_total", "counter", "Times a source's run() failed or threw and was restarted");
  for (const auto& s : sources_)
    out.sample("medgate_source_failures_total", {{"source", s->instance_name()}}, static_cast<double>(s->failures()));

  out.family("medgate_source_plugin_events_total", "counter",
             "Events a source plugin counts itself (sdk::EventCounter; e.g. an HL7 source's AE answers)");
  for (const auto& s : sources_)
    for (const auto& [event, n] : s->events().snapshot())
      out.sample("medgate_source_plugin_events_total", {{"source", s->instance_name()}, {"event", event}},
                 static_cast<double>(n));

  out.family("medgate_target_records_total", "counter",
             "Records by target and outcome: delivered, or dead_lettered (rejected by the target)");
  for (const auto& t : targets_) {
    const auto& c = t->counters();
    out.sample("medgate_target_records_total", {{"target", t->instance_name()}, {"outcome", "delivered"}},
               static_cast<double>(c.delivered.load()));
    out.sample("medgate_target_records_total", {{"target", t->instance_name()}, {"outcome", "dead_lettered"}},
               static_cast<double>(c.dead_lettered.load()));
  }
  out.family("medgate_target_circuit_open", "gauge",
             "1 while the target's circuit is open (its peer failed circuit_failures attempts in a row)");
  for (const auto& t : targets_)
    out.sample("medgate_target_circuit_open", {{"target", t->instance_name()}}, t->counters().circuit_open ? 1 : 0);
  out.family("medgate_target_handles_total", "counter",
             "Encrypted handles a target asked to open: opened, or refused (not allowed, malformed, wrong key)");
  for (const auto& t : targets_) {
    const auto& c = t->counters();
    out.sample("medgate_target_handles_total", {{"target", t->instance_name()}, {"outcome", "opened"}},
               static_cast<double>(c.handles_opened.load()));
    out.sample("medgate_target_handles_total", {{"target", t->instance_name()}, {"outcome", "refused"}},
               static_cast<double>(c.handles_refused.load()));
  }
  out.family("medgate_target_deliveries_total", "counter",
             "Target::deliver() calls (records per call: medgate_target_records_total over this)");
  for (const auto& t : targets_)
    out.sample("medgate_target_deliveries_total", {{"target", t->instance_name()}},
               static_cast<double>(t->counters().deliveries.load()));
  out.family("medgate_target_retries_total", "counter", "Delivery attempts that ended in a retry");
  for (const auto& t : targets_)
    out.sample("medgate_target_retries_total", {{"target", t->instance_name()}},
               static_cast<double>(t->counters().retries.load()));
  out.family("medgate_target_plugin_events_total", "counter", "Events a target plugin counts itself (sdk::EventCounter)");
  for (const auto& t : targets_)
    for (const auto& [event, n] : t->events().snapshot())
      out.sample("medgate_target_plugin_events_total", {{"target", t->instance_name()}, {"event", event}},
                 static_cast<double>(n));
  out.family("medgate_target_delivery_latency_seconds", "histogram",
             "From durable acceptance in the spool to the target's delivered answer");
  for (const auto& t : targets_)
    out.histogram("medgate_target_delivery_latency_seconds", {{"target", t->instance_name()}},
                  t->counters().latency.snapshot());

  out.family("medgate_spool_disk_bytes", "gauge",
             "Bytes of a target's spool segments on disk (a segment is removed once all of it is delivered)");
  for (const auto& [name, spool] : spools_)
    out.sample("medgate_spool_disk_bytes", {{"target", name}}, static_cast<double>(spool->disk_bytes()));
  out.family("medgate_spool_oldest_record_age_seconds", "gauge",
             "Age of the oldest record a target has not yet delivered (0 when none waits)");
  for (const auto& t : targets_)
    out.sample("medgate_spool_oldest_record_age_seconds", {{"target", t->instance_name()}},
               age_seconds(t->counters().oldest_waiting_ms.load(), now_ms));
  out.family("medgate_spool_budget_used_bytes", "gauge", "Undelivered bytes in all spools, counted against spool.max_bytes");
  out.sample("medgate_spool_budget_used_bytes", {}, static_cast<double>(budget_->used()));
  out.family("medgate_spool_budget_max_bytes", "gauge", "spool.max_bytes: sources are refused beyond it");
  out.sample("medgate_spool_budget_max_bytes", {}, static_cast<double>(budget_->max()));

  out.family("medgate_dlq_bytes", "gauge", "Size of a target's dead-letter file");
  for (const auto& t : targets_)
    out.sample("medgate_dlq_bytes", {{"target", t->instance_name()}},
               static_cast<double>(file_bytes(dlq_->file_for(t->instance_name()))));

  const auto& pc = pipeline_->counters();
  out.family("medgate_pipeline_records_total", "counter", "Records through the transform stages by outcome");
  out.sample("medgate_pipeline_records_total", {{"outcome", "in"}}, static_cast<double>(pc.records_in.load()));
  out.sample("medgate_pipeline_records_total", {{"outcome", "spooled"}}, static_cast<double>(pc.records_spooled.load()));
  out.sample("medgate_pipeline_records_total", {{"outcome", "quarantined"}},
             static_cast<double>(pc.records_quarantined.load()));
  out.family("medgate_pipeline_commits_total", "counter",
             "Group commits (one audit append and one spool append per target each) and the batches they carried");
  out.sample("medgate_pipeline_commits_total", {}, static_cast<double>(pc.commits.load()));
  out.family("medgate_pipeline_committed_batches_total", "counter", "Emitted batches made durable by group commits");
  out.sample("medgate_pipeline_committed_batches_total", {}, static_cast<double>(pc.committed_batches.load()));
  out.family("medgate_pipeline_parallel_groups_total", "counter",
             "Groups a pipeline worker started while another worker's group was under way (pipeline.parallel_min_records)");
  out.sample("medgate_pipeline_parallel_groups_total", {}, static_cast<double>(pc.parallel_groups.load()));
  out.family("medgate_pipeline_batch_seconds", "histogram",
             "From a source's emit to its result (durable or refused): what an MLLP ACK waits for");
  out.histogram("medgate_pipeline_batch_seconds", {}, pc.batch_seconds.snapshot());
  out.family("medgate_pipeline_stage_seconds", "histogram",
             "Steps of the emit path: a batch's wait for a worker (queued); per group commit, the transform of its "
             "batches, the audit append and the spool appends, each with its fdatasync");
  out.histogram("medgate_pipeline_stage_seconds", {{"stage", "queued"}}, pc.queued_seconds.snapshot());
  out.histogram("medgate_pipeline_stage_seconds", {{"stage", "transform"}}, pc.transform_seconds.snapshot());
  out.histogram("medgate_pipeline_stage_seconds", {{"stage", "audit"}}, pc.audit_seconds.snapshot());
  out.histogram("medgate_pipeline_stage_seconds", {{"stage", "spool"}}, pc.spool_seconds.snapshot());
}

sdk::Value Gateway::status() const {
  Value doc = Value::object();
  doc["version"] = MEDGATE_VERSION;
  doc["running"] = running_.load();
  doc["ready"] = ready();
  if (running_) doc["started_at"] = rfc3339(started_at_);
  doc["config"] = checked_.config_path;
  Value spool = Value::object();
  spool["used_bytes"] = static_cast<std::int64_t>(budget_->used());
  spool["max_bytes"] = static_cast<std::int64_t>(budget_->max());
  doc["spool"] = std::move(spool);
  const std::int64_t now_ms = now_unix_ms();
  Value::Array sources;
  for (const auto& s : sources_) {
    const auto& c = s->counters();
    Value v = Value::object();
    v["name"] = s->instance_name();
    v["plugin"] = s->plugin();
    v["accepted"] = static_cast<std::int64_t>(c.accepted.load());
    v["rejected"] = static_cast<std::int64_t>(c.rejected.load());
    v["quarantined_inputs"] = static_cast<std::int64_t>(c.quarantined_raw.load());
    v["batches_refused"] = static_cast<std::int64_t>(c.batches_refused.load());
    v["failures"] = static_cast<std::int64_t>(s->failures());
    sources.push_back(std::move(v));
  }
  doc["sources"] = Value(std::move(sources));
  Value::Array targets;
  for (const auto& t : targets_) {
    const auto& c = t->counters();
    Value v = Value::object();
    v["name"] = t->instance_name();
    v["plugin"] = t->plugin();
    v["running"] = t->running();
    v["delivered"] = static_cast<std::int64_t>(c.delivered.load());
    v["dead_lettered"] = static_cast<std::int64_t>(c.dead_lettered.load());
    v["retries"] = static_cast<std::int64_t>(c.retries.load());
    v["circuit"] = c.circuit_open ? "open" : "closed";
    v["spool_disk_bytes"] = static_cast<std::int64_t>(spools_.at(t->instance_name())->disk_bytes());
    v["oldest_waiting_seconds"] = age_seconds(c.oldest_waiting_ms.load(), now_ms);
    targets.push_back(std::move(v));
  }
  doc["targets"] = Value(std::move(targets));
  return doc;
}

sdk::Value Gateway::plugins() const {
  Value doc = Value::object();
  Value::Array loaded;
  for (const auto& [name, lib] : registry_->plugins()) {
    const auto& d = lib->definition();
    Value v = Value::object();
    v["name"] = name;
    v["version"] = d.version;
    v["sdk"] = std::to_string(lib->sdk_major()) + "." + std::to_string(lib->sdk_minor());
    Value::Array kinds;
    if (d.source) kinds.emplace_back("source");
    if (d.target) kinds.emplace_back("target");
    v["kinds"] = Value(std::move(kinds));
    v["path"] = lib->path();
    v["description"] = d.description;
    loaded.push_back(std::move(v));
  }
  doc["loaded"] = Value(std::move(loaded));
  Value::Array refused;
  for (const auto& r : registry_->refused()) {
    Value v = Value::object();
    v["path"] = r.path;
    v["reason"] = r.reason;
    refused.push_back(std::move(v));
  }
  doc["refused"] = Value(std::move(refused));
  return doc;
}

sdk::Value Gateway::routes() const {
  Value::Array routes;
  for (const auto& r : checked_.config.routes) {
    Value v = Value::object();
    v["name"] = r.name;
    v["from"] = string_array(r.from);
    v["to"] = string_array(r.to);
    v["policy"] = r.policy;
    const auto& policies = checked_.config.policies;
    if (auto it = policies.find(r.policy); it != policies.end()) {
      v["policy_version"] = static_cast<std::int64_t>(it->second.version);
      v["purpose"] = it->second.purpose;
    }
    routes.push_back(std::move(v));
  }
  Value doc = Value::object();
  doc["routes"] = Value(std::move(routes));
  return doc;
}

}  // namespace medgate::runtime
