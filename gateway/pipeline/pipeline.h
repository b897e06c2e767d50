// The data path from sources to the spool, in order:
//   source -> normalize -> identify -> desensitize -> audit -> spool
// Sources submit batches into a bounded queue; a fixed set of worker threads
// runs the stages; submit() returns once the batch is durable (spooled for
// every routed target, or quarantined), which is when a source may acknowledge.
// Group commit: a worker takes every batch queued at that moment and makes
// them durable together, one audit append and one spool append (one fsync
// each) per target for all of them, so many small concurrent batches (an
// MLLP connection emits one message at a time) share the cost of a commit.
// While one worker handles a small group, the others stay idle and the
// batches arriving meanwhile wait for its next group (worker_baton.h); a
// large group lets the next worker start beside it.
// Delivery from the spool to targets happens elsewhere (runtime/target_runner),
// one thread per target, so a slow target never stalls this path.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "admin/latency_histogram.h"
#include "audit/audit_chain.h"
#include "medgate/sdk/plugin.h"
#include "pipeline/bounded_queue.h"
#include "pipeline/desensitizer.h"
#include "pipeline/patient_identifier.h"
#include "pipeline/record_normalizer.h"
#include "pipeline/record_transformer.h"
#include "pipeline/worker_baton.h"
#include "spool/quarantine_store.h"
#include "spool/target_spool.h"

namespace medgate::pipeline {

struct PipelineStages {
  const RecordNormalizer* normalizer = nullptr;
  const PatientIdentifier* identifier = nullptr;
  audit::AuditChain* audit = nullptr;
  spool::QuarantineStore* quarantine = nullptr;
  spool::SpoolBudget* budget = nullptr;
  std::map<std::string, std::vector<RouteTarget>> routes;  // source name -> destinations
};

struct PipelineCounters {
  std::atomic<std::uint64_t> records_in{0};
  std::atomic<std::uint64_t> records_spooled{0};  // record x target entries
  std::atomic<std::uint64_t> records_quarantined{0};
  std::atomic<std::uint64_t> batches_refused{0};
  std::atomic<std::uint64_t> commits{0};            // group commits that wrote something
  std::atomic<std::uint64_t> committed_batches{0};  // batches they made durable
  // Groups a worker started while another worker's group was under way: how
  // often `parallel_min_records` let a second worker in.
  std::atomic<std::uint64_t> parallel_groups{0};
  std::atomic<std::uint64_t> groups_finished{0};    // worker rounds done, whatever their outcome (for the watchdog)
  // Where a batch's time goes (what a source waits for in emit): submit() to
  // its result; per batch, the wait for a worker; per group commit, the
  // transform of its batches, the audit append and the spool appends (each
  // with its fdatasync).
  admin::LatencyHistogram batch_seconds{admin::LatencyHistogram::kCommitBounds};
  admin::LatencyHistogram queued_seconds{admin::LatencyHistogram::kCommitBounds};
  admin::LatencyHistogram transform_seconds{admin::LatencyHistogram::kCommitBounds};
  admin::LatencyHistogram audit_seconds{admin::LatencyHistogram::kCommitBounds};
  admin::LatencyHistogram spool_seconds{admin::LatencyHistogram::kCommitBounds};
};

class Pipeline {
 public:
  // `parallel_min_records`: how many records a group must hold for another
  // worker to start the next group beside it (worker_baton.h).
  Pipeline(PipelineStages stages, int workers, std::size_t queue_batches, std::size_t parallel_min_records);
  ~Pipeline();
  void start();
  // Stops taking batches, finishes the queued ones, joins the workers.
  void stop();

  // Blocks until the batch is durable or refused. Thread-safe. `unit_sizes`
  // cuts the batch into units committed all or nothing (SourceContext::
  // emit_units); empty: every record is a unit of its own.
  sdk::EmitResult submit(const std::string& source, std::vector<sdk::Record> records,
                         std::vector<std::size_t> unit_sizes = {});
  // Same for raw input a source could not parse.
  sdk::Status quarantine(const std::string& source, std::string_view raw, std::string_view reason);

  const PipelineCounters& counters() const noexcept { return counters_; }
  // Batches waiting for a worker.
  std::size_t queued_batches() const { return queue_.size(); }

 private:
  struct Job {
    std::string source;
    std::vector<sdk::Record> records;
    std::vector<std::size_t> unit_sizes;  // empty: one record per unit
    std::promise<sdk::EmitResult> done;
    std::chrono::steady_clock::time_point submitted;
  };
  // One job after normalize/identify/desensitize, before the commit.
  struct Prepared;
  void work();
  // Transforms `job`'s records (quarantining the ones that fail; a unit with
  // a failed record keeps none of its outputs) and reserves spool budget; a
  // refused job's result is final.
  void prepare(Job& job, const std::string& now, Prepared& out);
  // Makes every job of the group durable together and resolves each.
  void commit_group(std::vector<std::unique_ptr<Job>>& jobs);

  PipelineStages stages_;
  const int workers_count_;
  BoundedQueue<std::unique_ptr<Job>> queue_;
  WorkerBaton baton_;  // which worker takes the next group (worker_baton.h)
  std::atomic<int> groups_under_way_{0};
  std::vector<std::thread> workers_;
  PipelineCounters counters_;
};

}  // namespace medgate::pipeline
