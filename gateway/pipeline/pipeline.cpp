#include "pipeline/pipeline.h"

#include <exception>

#include "medgate/sdk/json.h"
#include "spool/timestamps.h"

namespace medgate::pipeline {

Pipeline::Pipeline(PipelineStages stages, int workers, std::size_t queue_batches)
    : stages_(std::move(stages)), workers_count_(workers), queue_(queue_batches) {}

Pipeline::~Pipeline() { stop(); }

void Pipeline::start() {
  for (int i = 0; i < workers_count_; ++i) workers_.emplace_back([this] { work(); });
}

void Pipeline::stop() {
  queue_.close();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

sdk::EmitResult Pipeline::submit(const std::string& source, std::vector<sdk::Record> records) {
  auto job = std::make_unique<Job>();
  job->source = source;
  job->records = std::move(records);
  auto done = job->done.get_future();
  if (!queue_.push(std::move(job))) return {sdk::Status::Unavailable("medgated is shutting down"), {}};
  return done.get();
}

sdk::Status Pipeline::quarantine(const std::string& source, std::string_view raw, std::string_view reason) {
  sdk::Status s = stages_.quarantine->add(source, raw, reason);
  if (s.ok()) ++counters_.records_quarantined;
  return s;
}

void Pipeline::work() {
  while (auto job = queue_.pop()) {
    sdk::EmitResult result;
    try {
      result = process(**job);
    } catch (const std::exception& e) {
      result = {sdk::Status::Internal(std::string("pipeline failed: ") + e.what()), {}};
    }
    (*job)->done.set_value(std::move(result));
  }
}

sdk::EmitResult Pipeline::process(Job& job) {
  sdk::EmitResult result;
  auto routes = stages_.routes.find(job.source);
  if (routes == stages_.routes.end() || routes->second.empty())
    return {sdk::Status::Precondition("source '" + job.source + "' is not routed to any target"), {}};
  const auto& dests = routes->second;
  const std::string now = spool::utc_now_rfc3339();
  counters_.records_in += job.records.size();

  std::vector<std::vector<spool::SpoolEntry>> entries(dests.size());
  for (auto& e : entries) e.reserve(job.records.size());
  std::vector<audit::AuditEntry> audits;
  audits.reserve(job.records.size() * dests.size());

  RecordTransformer transformer(*stages_.normalizer, *stages_.identifier);
  TransformedRecord one;
  for (std::size_t i = 0; i < job.records.size(); ++i) {
    sdk::Value& body = job.records[i].body;
    sdk::Status s;
    try {
      s = transformer.transform(job.source, now, body, dests, one);
      if (s.ok())
        for (std::size_t d = 0; d < dests.size(); ++d) {
          entries[d].push_back(std::move(one.outputs[d]));
          audits.push_back(std::move(one.audits[d]));
        }
    } catch (const std::exception& e) {
      s = sdk::Status::Internal(std::string("cannot desensitize: ") + e.what());
    }
    if (!s.ok()) {
      std::string reason = "record " + std::to_string(i + 1) + " of the batch: " + s.message();
      if (sdk::Status q = quarantine(job.source, sdk::to_json(body), reason); !q.ok()) return {q, {}};
      result.rejected.push_back({i, s.message()});
    }
  }

  std::uint64_t bytes = 0;
  for (const auto& e : entries) bytes += spool::TargetSpool::frame_bytes(e);
  if (!stages_.budget->try_reserve(bytes)) {
    ++counters_.batches_refused;
    return {sdk::Status::Exhausted("spool full (" + std::to_string(stages_.budget->used()) + " of " +
                                   std::to_string(stages_.budget->max()) +
                                   " bytes used); input refused until targets catch up"),
            {}};
  }
  if (sdk::Status s = stages_.audit->append(audits, now); !s.ok()) {
    stages_.budget->release(bytes);
    return {sdk::Status::Unavailable("audit log: " + s.message()), {}};
  }
  for (std::size_t d = 0; d < dests.size(); ++d) {
    std::uint64_t b = spool::TargetSpool::frame_bytes(entries[d]);
    if (sdk::Status s = dests[d].spool->append(entries[d]); !s.ok()) {
      stages_.budget->release(bytes);
      return {sdk::Status::Unavailable("spool for target '" + dests[d].target + "': " + s.message()), {}};
    }
    bytes -= b;
    counters_.records_spooled += entries[d].size();
  }
  return result;
}

}  // namespace medgate::pipeline
