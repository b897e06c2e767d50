// Which pipeline worker may take the next group of batches from the queue.
//
// Only the worker holding the baton waits on the queue. After it takes a
// group, it keeps the baton while it transforms and commits a small group
// (fewer than `parallel_min_records` records), so the batches that arrive
// meanwhile wait for it and go into its next, larger group commit; it passes
// the baton on after taking a large group, so that another worker can start
// the next group beside it. Small batches from many emitters (MLLP
// connections) thus get one committer and fewer, larger commits, whose
// flushes do not wait for each other's, and the idle workers are not woken
// by every batch; bulk batches (a file source's 1,000 records) still get
// every worker. Measured in docs/benchmarks.md (session 27).
#pragma once

#include <cstddef>
#include <semaphore>

namespace medgate::pipeline {

class WorkerBaton {
 public:
  explicit WorkerBaton(std::size_t parallel_min_records) : parallel_min_records_(parallel_min_records) {}

  // Waits until the baton is free, then holds it.
  void take() { free_.acquire(); }

  // Holds the baton if it is free; false otherwise.
  bool try_take() { return free_.try_acquire(); }

  // Called by the holder once it has taken a group of `records` records:
  // passes the baton on when the group is large enough for another worker to
  // start beside it. Returns whether the caller still holds it.
  bool after_group(std::size_t records) {
    if (records < parallel_min_records_) return true;
    pass();
    return false;
  }

  // The holder lets go (it is done, or leaving).
  void pass() { free_.release(); }

 private:
  const std::size_t parallel_min_records_;
  std::binary_semaphore free_{1};
};

}  // namespace medgate::pipeline
