// medgate plugin test kit: a SourceContext for a source plugin's tests. It
// records what the source emits and quarantines, can refuse a batch (as the
// host does when the spool is full) or reject single records (and with them
// their unit, as emit_units() does), and lets a test wait, without sleeping,
// until the source has done something.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "medgate/sdk/emit_units.h"
#include "medgate/sdk/plugin.h"
#include "medgate/sdk/value.h"
#include "medgate/testkit/fake_context.h"

namespace medgate::testkit {

class FakeSourceContext : public FakeContext<sdk::SourceContext>, public sdk::UnitEmitter {
 public:
  struct Quarantined {
    std::string raw;
    std::string reason;
  };

  explicit FakeSourceContext(std::string state_dir, std::string name = "source")
      : FakeContext(std::move(name), std::move(state_dir)) {}

  sdk::EmitResult emit(std::vector<sdk::Record> records) override {
    std::vector<std::size_t> units(records.size(), 1);
    return emit_units(std::move(records), std::move(units));
  }
  // As the host does: a unit with a rejected record keeps none of its records.
  sdk::EmitResult emit_units(std::vector<sdk::Record> records, std::vector<std::size_t> unit_sizes) override {
    std::lock_guard lock(mutex_);
    ++emit_calls_;
    batch_sizes_.push_back(records.size());
    unit_sizes_.push_back(unit_sizes);
    sdk::EmitResult result;
    std::size_t total = 0;
    for (std::size_t n : unit_sizes) total += n;
    if (total != records.size()) {
      result.status = sdk::Status::Invalid("unit sizes do not add up to the batch");
    } else if (refuse_emits_ > 0 || emit_calls_ == refuse_call_) {
      if (refuse_emits_ > 0) --refuse_emits_;
      result.status = sdk::Status::Exhausted("spool full");
    } else {
      std::size_t first = 0;
      for (std::size_t n : unit_sizes) {
        const std::size_t rejected_before = result.rejected.size();
        for (std::size_t i = first; i < first + n; ++i)
          if (reject_ && reject_(records[i].body)) result.rejected.push_back({i, "rejected by test"});
        if (result.rejected.size() == rejected_before)
          for (std::size_t i = first; i < first + n; ++i) emitted_.push_back(std::move(records[i].body));
        first += n;
      }
    }
    changed_.notify_all();
    return result;
  }
  sdk::Status quarantine(std::string_view raw, std::string_view reason) override {
    std::lock_guard lock(mutex_);
    if (refuse_quarantine_) return sdk::Status::Unavailable("quarantine unavailable");
    quarantined_.push_back({std::string(raw), std::string(reason)});
    changed_.notify_all();
    return sdk::Status::Ok();
  }

  // Waits until `done` holds (checked under the lock, so it may read the
  // unlocked accessors below) or `limit` passes; false on timeout.
  bool wait_until(const std::function<bool(const FakeSourceContext&)>& done,
                  std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, limit, [&] { return done(*this); });
  }

  // Setup; call before the source runs or between poll_once calls.
  void refuse_next_emits(int n) {  // the next n emit() calls answer "spool full"
    std::lock_guard lock(mutex_);
    refuse_emits_ = n;
  }
  void refuse_emit_call(int n) {  // the n-th emit() call (1-based) answers "spool full"
    std::lock_guard lock(mutex_);
    refuse_call_ = n;
  }
  void refuse_quarantine(bool on) {
    std::lock_guard lock(mutex_);
    refuse_quarantine_ = on;
  }
  void reject_when(std::function<bool(const sdk::Value&)> f) {  // rejects single records
    std::lock_guard lock(mutex_);
    reject_ = std::move(f);
  }

  // Unlocked readers: for use inside wait_until or when the source is idle.
  const std::vector<sdk::Value>& emitted() const { return emitted_; }
  const std::vector<Quarantined>& quarantined() const { return quarantined_; }
  const std::vector<std::size_t>& batch_sizes() const { return batch_sizes_; }
  // The unit sizes of every emit (emit(): one record per unit).
  const std::vector<std::vector<std::size_t>>& unit_sizes() const { return unit_sizes_; }
  int emit_calls() const { return emit_calls_; }
  // The `source_record_id` of every emitted record, in order.
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    for (const sdk::Value& v : emitted_) out.emplace_back(v.string_or("source_record_id", "?"));
    return out;
  }

 private:
  int refuse_emits_ = 0;
  int refuse_call_ = 0;
  bool refuse_quarantine_ = false;
  std::function<bool(const sdk::Value&)> reject_;
  std::vector<sdk::Value> emitted_;
  std::vector<Quarantined> quarantined_;
  std::vector<std::size_t> batch_sizes_;
  std::vector<std::vector<std::size_t>> unit_sizes_;
  int emit_calls_ = 0;
};

}  // namespace medgate::testkit
