#include "runtime/gateway.h"

#include "admin/server_tls.h"
#include "runtime/log.h"
#include "spool/durable_file.h"

namespace medgate::runtime {

std::unique_ptr<Gateway> Gateway::create(CheckedConfig checked, plugin_host::PluginRegistry& registry,
                                         std::string& error) {
  std::unique_ptr<Gateway> gw(new Gateway());
  gw->checked_ = std::move(checked);
  gw->registry_ = &registry;
  const auto& cfg = gw->checked_.config;
  const std::string& state = cfg.state_dir;

  const crypto::KeyedHasher* identity = gw->checked_.keys->hasher(cfg.identity.key);
  const std::string* identity_secret = gw->checked_.keys->secret(cfg.identity.key);
  if (!identity || !identity_secret) {
    error = "identity.key must name a key declared under keys:";
    return nullptr;
  }
  for (const std::string& dir : {state, state + "/sources", state + "/targets", state + "/identity"})
    if (sdk::Status s = spool::ensure_dir(dir); !s.ok()) {
      error = s.message();
      return nullptr;
    }
  gw->normalizer_ = std::make_unique<pipeline::RecordNormalizer>();
  gw->links_ = std::make_unique<pipeline::PatientLinks>(state + "/identity/links");
  if (sdk::Status s = gw->links_->open(); !s.ok()) {
    error = "patient links: " + s.message();
    return nullptr;
  }
  gw->identifier_ = std::make_unique<pipeline::PatientIdentifier>(*identity, cfg.identity.fields, gw->links_.get());
  gw->budget_ = std::make_unique<spool::SpoolBudget>(cfg.spool.max_bytes);
  if (!gw->checked_.audit_key) {
    error = "audit.signing_key must name an Ed25519 private key";
    return nullptr;
  }
  audit::AuditChainOptions audit_options{cfg.audit.dir, cfg.audit.segment_bytes, cfg.audit.checkpoint_entries,
                                         std::chrono::milliseconds(cfg.audit.retention_ms)};
  gw->audit_ = std::make_unique<audit::AuditChain>(std::move(audit_options), gw->checked_.audit_key);
  gw->quarantine_ = std::make_unique<spool::QuarantineStore>(state + "/quarantine", *identity_secret);
  gw->dlq_ = std::make_unique<spool::DeadLetters>(state + "/dlq");
  for (sdk::Status s : {gw->audit_->open(), gw->quarantine_->open(), gw->dlq_->open()})
    if (!s.ok()) {
      error = s.message();
      return nullptr;
    }
  for (const auto& note : gw->audit_->notes()) log(sdk::LogLevel::warning, "audit", note);
  gw->checkpointer_ = std::make_unique<AuditCheckpointer>(
      *gw->audit_, std::chrono::milliseconds(cfg.audit.checkpoint_interval_ms),
      [g = gw.get()] {
        const auto now = std::chrono::system_clock::now();
        g->apply_quarantine_retention(now);
        g->apply_dlq_retention(now);
      });

  pipeline::PipelineStages stages;
  stages.normalizer = gw->normalizer_.get();
  stages.identifier = gw->identifier_.get();
  stages.audit = gw->audit_.get();
  stages.quarantine = gw->quarantine_.get();
  stages.budget = gw->budget_.get();

  for (const auto& [name, target] : cfg.targets) {
    auto spool = std::make_unique<spool::TargetSpool>(state + "/spool/" + name, cfg.spool.segment_bytes, *gw->budget_);
    if (sdk::Status s = spool->open(); !s.ok()) {
      error = "spool of target '" + name + "': " + s.message();
      return nullptr;
    }
    std::shared_ptr<sdk::Target> object;
    if (sdk::Status s = registry.find(target.plugin)->create_target(target.options, object); !s.ok()) {
      error = "target '" + name + "': " + s.message();
      return nullptr;
    }
    std::string dir = state + "/targets/" + name;
    if (sdk::Status s = spool::ensure_dir(dir); !s.ok()) {
      error = s.message();
      return nullptr;
    }
    gw->targets_.push_back(std::make_unique<TargetRunner>(target, std::move(object), dir, *spool, *gw->dlq_,
                                                          *gw->checked_.keys, *gw->audit_));
    gw->spools_.emplace(name, std::move(spool));
  }

  for (const auto& route : cfg.routes)
    for (const auto& from : route.from)
      for (const auto& to : route.to) {
        auto& dests = stages.routes[from];
        bool seen = false;
        for (const auto& d : dests) seen |= d.target == to;
        if (seen) {
          log(sdk::LogLevel::warning, "config", "source '" + from + "' is routed to target '" + to +
                                                    "' more than once; route '" + route.name + "' is ignored for it");
          continue;
        }
        dests.push_back({to, gw->checked_.policies.at(route.policy).get(), gw->spools_.at(to).get()});
      }

  gw->pipeline_ = std::make_unique<pipeline::Pipeline>(
      std::move(stages), cfg.pipeline.workers, static_cast<std::size_t>(cfg.pipeline.queue_batches),
      static_cast<std::size_t>(cfg.pipeline.parallel_min_records));

  if (cfg.ingress.enabled) {
    gw->ingress_ = std::make_unique<HttpIngressServer>(cfg.ingress);
    if (sdk::Status s = gw->ingress_->start(); !s.ok()) {
      error = s.message();
      return nullptr;
    }
    log(sdk::LogLevel::info, "ingress",
        "HTTP ingress on " + cfg.ingress.listen.substr(0, cfg.ingress.listen.rfind(':') + 1) +
            std::to_string(gw->ingress_->port()) + admin::tls_label(cfg.ingress.tls));
  }
  for (const auto& [name, source] : cfg.sources) {
    std::shared_ptr<sdk::Source> object;
    if (sdk::Status s = registry.find(source.plugin)->create_source(source.options, object); !s.ok()) {
      error = "source '" + name + "': " + s.message();
      return nullptr;
    }
    std::string dir = state + "/sources/" + name;
    if (sdk::Status s = spool::ensure_dir(dir); !s.ok()) {
      error = s.message();
      return nullptr;
    }
    gw->sources_.push_back(
        std::make_unique<SourceRunner>(name, source.plugin, std::move(object), dir, *gw->pipeline_, gw->ingress_.get()));
  }
  return gw;
}

Gateway::~Gateway() { stop(std::chrono::milliseconds(0)); }

void Gateway::start() {
  checkpointer_->start();
  for (auto& t : targets_) t->start();
  pipeline_->start();
  for (auto& s : sources_) s->start();
  started_at_ = std::chrono::system_clock::now();
  running_ = true;
}

std::vector<std::string> Gateway::stop(std::chrono::milliseconds drain_timeout, std::chrono::milliseconds grace) {
  std::vector<std::string> stuck;
  if (!running_) return stuck;
  running_ = false;
  auto deadline = std::chrono::steady_clock::now() + drain_timeout;
  for (auto& s : sources_) s->request_stop();
  // A source deaf to the stop request (inside its plugin's run()) is left
  // behind like a stuck target: its emits are refused once the pipeline stops.
  for (auto& s : sources_)
    if (!s->join_within(grace)) stuck.push_back("source " + s->instance_name());
  if (ingress_) ingress_->stop();
  pipeline_->stop();
  for (auto& t : targets_) t->begin_drain(deadline);
  for (auto& t : targets_)
    if (!t->finish_drain(grace)) stuck.push_back("target " + t->instance_name());
  checkpointer_->stop();
  if (sdk::Status s = audit_->close(); !s.ok())
    log(sdk::LogLevel::error, "audit", "cannot sign the closing checkpoint: " + s.message());
  return stuck;
}

std::vector<std::string> Gateway::summary() const {
  std::vector<std::string> lines;
  const auto& pc = pipeline_->counters();
  lines.push_back("pipeline: " + std::to_string(pc.records_in.load()) + " records in, " +
                  std::to_string(pc.records_spooled.load()) + " spooled for targets, " +
                  std::to_string(pc.records_quarantined.load()) + " quarantined, " +
                  std::to_string(pc.batches_refused.load()) + " batches refused");
  for (const auto& t : targets_) {
    const auto& c = t->counters();
    lines.push_back("target " + t->instance_name() + ": " + std::to_string(c.delivered.load()) + " delivered, " +
                    std::to_string(c.dead_lettered.load()) + " dead-lettered, " + std::to_string(c.retries.load()) +
                    " retries");
  }
  return lines;
}

}  // namespace medgate::runtime
