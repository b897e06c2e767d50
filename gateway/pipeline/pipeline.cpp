#include "pipeline/pipeline.h"

#include <algorithm>
#include <exception>

#include "medgate/sdk/json.h"
#include "spool/timestamps.h"

namespace medgate::pipeline {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

Pipeline::Pipeline(PipelineStages stages, int workers, std::size_t queue_batches, std::size_t parallel_min_records)
    : stages_(std::move(stages)), workers_count_(workers), queue_(queue_batches), baton_(parallel_min_records) {}

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

sdk::EmitResult Pipeline::submit(const std::string& source, std::vector<sdk::Record> records,
                                 std::vector<std::size_t> unit_sizes) {
  if (!unit_sizes.empty()) {
    std::size_t total = 0;
    for (std::size_t n : unit_sizes) total += n;
    if (total != records.size())
      return {sdk::Status::Invalid("emit_units: the unit sizes add up to " + std::to_string(total) +
                                   " records, the batch holds " + std::to_string(records.size())),
              {}};
  }
  const auto submitted = Clock::now();
  auto job = std::make_unique<Job>();
  job->submitted = submitted;
  job->source = source;
  job->records = std::move(records);
  job->unit_sizes = std::move(unit_sizes);
  auto done = job->done.get_future();
  if (!queue_.push(std::move(job))) return {sdk::Status::Unavailable("medgated is shutting down"), {}};
  sdk::EmitResult result = done.get();
  counters_.batch_seconds.record(Clock::now() - submitted);
  return result;
}

sdk::Status Pipeline::quarantine(const std::string& source, std::string_view raw, std::string_view reason) {
  sdk::Status s = stages_.quarantine->add(source, raw, reason);
  if (s.ok()) ++counters_.records_quarantined;
  return s;
}

namespace {
constexpr std::size_t kMaxGroupJobs = 256;  // batches committed together at most
}  // namespace

struct Pipeline::Prepared {
  sdk::EmitResult result;
  bool final = false;  // refused (or failed) before the commit
  const std::vector<RouteTarget>* dests = nullptr;
  std::vector<std::vector<spool::SpoolEntry>> entries;  // per destination
  std::vector<audit::AuditEntry> audits;
  std::uint64_t bytes = 0;  // reserved in the budget
};

void Pipeline::work() {
  bool holding = false;
  for (;;) {
    if (!holding) baton_.take();
    std::vector<std::unique_ptr<Job>> group = queue_.pop_many(kMaxGroupJobs);
    if (group.empty()) {  // closed and drained: the next worker finds it so too
      baton_.pass();
      return;
    }
    std::size_t records = 0;
    for (const auto& job : group) records += job->records.size();
    holding = baton_.after_group(records);
    if (groups_under_way_.fetch_add(1) > 0) ++counters_.parallel_groups;
    try {
      commit_group(group);
    } catch (const std::exception& e) {
      // Nothing below throws by design; a job not yet resolved is answered here.
      for (auto& job : group)
        if (job) job->done.set_value({sdk::Status::Internal(std::string("pipeline failed: ") + e.what()), {}});
    }
    --groups_under_way_;
    ++counters_.groups_finished;
  }
}

void Pipeline::prepare(Job& job, const std::string& now, Prepared& p) {
  auto routes = stages_.routes.find(job.source);
  if (routes == stages_.routes.end() || routes->second.empty()) {
    p.result = {sdk::Status::Precondition("source '" + job.source + "' is not routed to any target"), {}};
    p.final = true;
    return;
  }
  p.dests = &routes->second;
  const auto& dests = *p.dests;
  counters_.records_in += job.records.size();
  p.entries.resize(dests.size());
  for (auto& e : p.entries) e.reserve(job.records.size());
  p.audits.reserve(job.records.size() * dests.size());

  RecordTransformer transformer(*stages_.normalizer, *stages_.identifier);
  TransformedRecord one;
  // Where the current unit's outputs start: a unit with a failed record is cut
  // back to there when it ends, so none of it is committed.
  std::vector<std::size_t> unit_start(dests.size());
  std::size_t unit_audits = 0, unit_index = 0, unit_end = 0;
  bool unit_failed = false;
  for (std::size_t i = 0; i < job.records.size(); ++i) {
    if (i == unit_end) {
      while (i == unit_end) unit_end += job.unit_sizes.empty() ? 1 : job.unit_sizes[unit_index++];
      for (std::size_t d = 0; d < dests.size(); ++d) unit_start[d] = p.entries[d].size();
      unit_audits = p.audits.size();
      unit_failed = false;
    }
    sdk::Value& body = job.records[i].body;
    sdk::Status s;
    try {
      s = transformer.transform(job.source, now, body, dests, one);
      if (s.ok())
        for (std::size_t d = 0; d < dests.size(); ++d) {
          p.entries[d].push_back(std::move(one.outputs[d]));
          p.audits.push_back(std::move(one.audits[d]));
        }
    } catch (const std::exception& e) {
      s = sdk::Status::Internal(std::string("cannot desensitize: ") + e.what());
    }
    unit_failed |= !s.ok();
    if (i + 1 == unit_end && unit_failed) {
      for (std::size_t d = 0; d < dests.size(); ++d)
        p.entries[d].erase(p.entries[d].begin() + static_cast<std::ptrdiff_t>(unit_start[d]), p.entries[d].end());
      p.audits.erase(p.audits.begin() + static_cast<std::ptrdiff_t>(unit_audits), p.audits.end());
    }
    if (!s.ok()) {
      std::string reason = "record " + std::to_string(i + 1) + " of the batch: " + s.message();
      if (sdk::Status q = quarantine(job.source, sdk::to_json(body), reason); !q.ok()) {
        p.result = {q, {}};
        p.final = true;
        return;
      }
      p.result.rejected.push_back({i, s.message()});
    }
  }

  for (const auto& e : p.entries) p.bytes += spool::TargetSpool::frame_bytes(e);
  if (!stages_.budget->try_reserve(p.bytes)) {
    ++counters_.batches_refused;
    p.result = {sdk::Status::Exhausted("spool full (" + std::to_string(stages_.budget->used()) + " of " +
                                       std::to_string(stages_.budget->max()) +
                                       " bytes used); input refused until targets catch up"),
                {}};
    p.bytes = 0;
    p.final = true;
  }
}

void Pipeline::commit_group(std::vector<std::unique_ptr<Job>>& jobs) {
  const auto started = Clock::now();
  for (const auto& job : jobs)
    counters_.queued_seconds.record(started - job->submitted);
  const std::string now = spool::utc_now_rfc3339();
  std::vector<Prepared> prepared(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j) prepare(*jobs[j], now, prepared[j]);
  counters_.transform_seconds.record(Clock::now() - started);

  // What the group commits: every audit entry, and per spool its entries in job order.
  std::vector<audit::AuditEntry> audits;
  std::vector<std::pair<spool::TargetSpool*, std::vector<spool::SpoolEntry>>> spools;
  std::vector<const std::string*> spool_targets;
  std::uint64_t reserved = 0;
  for (auto& p : prepared) {
    if (p.final) continue;
    reserved += p.bytes;
    for (auto& a : p.audits) audits.push_back(std::move(a));
    for (std::size_t d = 0; d < p.dests->size(); ++d) {
      const RouteTarget& dest = (*p.dests)[d];
      auto it = std::find_if(spools.begin(), spools.end(), [&](const auto& s) { return s.first == dest.spool; });
      if (it == spools.end()) {
        spools.emplace_back(dest.spool, std::vector<spool::SpoolEntry>{});
        spool_targets.push_back(&dest.target);
        it = spools.end() - 1;
      }
      for (auto& e : p.entries[d]) it->second.push_back(std::move(e));
    }
  }

  sdk::Status failure;
  if (reserved > 0 || !audits.empty()) {
    auto step = Clock::now();
    sdk::Status audited = stages_.audit->append(audits, now);
    counters_.audit_seconds.record(Clock::now() - step);
    if (!audited.ok()) {
      failure = sdk::Status::Unavailable("audit log: " + audited.message());
    } else {
      step = Clock::now();
      for (std::size_t i = 0; i < spools.size(); ++i) {
        auto& [spool, entries] = spools[i];
        if (sdk::Status s = spool->append(entries); !s.ok()) {
          failure = sdk::Status::Unavailable("spool for target '" + *spool_targets[i] + "': " + s.message());
          break;
        }
        reserved -= spool::TargetSpool::frame_bytes(entries);
        counters_.records_spooled += entries.size();
      }
      counters_.spool_seconds.record(Clock::now() - step);
    }
  }
  if (!failure.ok()) {
    stages_.budget->release(reserved);
  } else if (!audits.empty()) {
    ++counters_.commits;
    for (const auto& p : prepared) counters_.committed_batches += p.final ? 0 : 1;
  }

  for (std::size_t j = 0; j < jobs.size(); ++j) {
    Prepared& p = prepared[j];
    if (!p.final && !failure.ok()) p.result = {failure, {}};
    jobs[j]->done.set_value(std::move(p.result));
    jobs[j].reset();
  }
}

}  // namespace medgate::pipeline
