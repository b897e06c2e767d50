#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "../temp_dir.h"
#include "medgate/sdk/emit_units.h"
#include "medgate/sdk/json.h"
#include "medgate/sdk/refusal.h"
#include "pipeline/pipeline.h"
#include "runtime/source_runner.h"

namespace medgate::pipeline {
namespace {

sdk::Record record(const std::string& id, const std::string& name) {
  sdk::Value v;
  EXPECT_TRUE(sdk::parse_json(R"({"source_record_id":")" + id + R"(","event_type":"visit","occurred_at":"2026-01-02T03:04:05Z",
    "subject":{"mrn":"M-)" + id + R"(","name":")" + name + R"("},"patient":{"gender":"female"}})", v).ok());
  return {std::move(v)};
}

std::size_t count_lines(const std::string& dir, const std::string& containing = "") {
  std::size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path());
    for (std::string l; std::getline(in, l);) n += l.find(containing) != std::string::npos;
  }
  return n;
}

class PipelineTest : public ::testing::Test {
 protected:
  void build(std::uint64_t spool_limit, bool start = true, std::size_t queue_batches = 4) {
    std::string key = dir_ / "k.key";
    std::ofstream(key) << std::string(64, 'b');
    chmod(key.c_str(), 0600);
    ASSERT_TRUE(keys_.load({{"k1", key, {}, {}}}).ok());
    config::PolicyConfig p{"analytics-strict", 1, "analytics", {}, {}};
    p.rules.push_back({"patient.gender", "keep", "", sdk::Value::object(), {}});
    p.rules.push_back({"subject.mrn", "token", "patient.mrn_token", sdk::Value::object(), {}});
    std::vector<PolicyProblem> problems;
    policy_ = CompiledPolicy::compile(p, MethodEnv{keys_, "k1"}, problems);
    ASSERT_TRUE(policy_);
    identifier_ = std::make_unique<PatientIdentifier>(*keys_.hasher("k1"), std::vector<std::string>{"subject.mrn"});
    budget_ = std::make_unique<spool::SpoolBudget>(spool_limit);
    audit_ = std::make_unique<audit::AuditChain>(audit::AuditChainOptions{dir_ / "audit", 1 << 20},
                                                 crypto::Ed25519Key::generate());
    quarantine_ = std::make_unique<spool::QuarantineStore>(dir_ / "quarantine", std::string(32, 'q'));
    for (auto* name : {"a", "b"}) {
      spools_.push_back(std::make_unique<spool::TargetSpool>(dir_ / (std::string("spool-") + name), 1 << 20, *budget_));
      ASSERT_TRUE(spools_.back()->open().ok());
    }
    ASSERT_TRUE(audit_->open().ok());
    ASSERT_TRUE(quarantine_->open().ok());
    PipelineStages stages{&normalizer_, identifier_.get(), audit_.get(), quarantine_.get(), budget_.get(), {}};
    stages.routes["inbox"] = {{"a", policy_.get(), spools_[0].get()}, {"b", policy_.get(), spools_[1].get()}};
    pipeline_ = std::make_unique<Pipeline>(std::move(stages), 2, queue_batches, config::PipelineConfig{}.parallel_min_records);
    if (start) pipeline_->start();
  }

  testing::TempDir dir_;
  crypto::KeyStore keys_;
  RecordNormalizer normalizer_;
  std::unique_ptr<CompiledPolicy> policy_;
  std::unique_ptr<PatientIdentifier> identifier_;
  std::unique_ptr<spool::SpoolBudget> budget_;
  std::unique_ptr<audit::AuditChain> audit_;
  std::unique_ptr<spool::QuarantineStore> quarantine_;
  std::vector<std::unique_ptr<spool::TargetSpool>> spools_;
  std::unique_ptr<Pipeline> pipeline_;
};

TEST_F(PipelineTest, SpoolsEveryRecordForEveryTargetAndAuditsIt) {
  build(1 << 30);
  std::vector<sdk::Record> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(record(std::to_string(i), "测试丁"));
  batch[7].body.erase("event_type");  // one bad record
  sdk::EmitResult r = pipeline_->submit("inbox", std::move(batch));
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].index, 7u);
  EXPECT_NE(r.rejected[0].reason.find("event_type"), std::string::npos);
  for (auto& s : spools_) {
    std::vector<spool::TargetSpool::ReadEntry> got;
    ASSERT_TRUE(s->read(1000, got).ok());
    ASSERT_EQ(got.size(), 49u);
    EXPECT_EQ(got[0].entry.payload.find("测试丁"), std::string::npos);
    EXPECT_NE(got[0].entry.payload.find("\"mrn_token\""), std::string::npos);
    EXPECT_EQ(got[0].entry.partition_key.size(), 32u);
  }
  EXPECT_EQ(count_lines(dir_ / "audit", "\"type\":\"record\""), 98u);  // 49 records x 2 targets
  EXPECT_EQ(count_lines(dir_ / "quarantine"), 1u);
  EXPECT_EQ(pipeline_->counters().records_spooled.load(), 98u);
}

TEST_F(PipelineTest, AUnitWithARejectedRecordCommitsNoneOfItsRecords) {
  build(1 << 30);
  std::vector<sdk::Record> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(record("u" + std::to_string(i), "测试戊"));
  batch[4].body.erase("event_type");  // spoils the unit {3, 4}
  batch[9].body.erase("event_type");  // spoils the last unit, {9}
  // Units: {0,1,2} {3,4} {} {5,6,7,8} {9}.
  sdk::EmitResult r = pipeline_->submit("inbox", std::move(batch), {3, 2, 0, 4, 1});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(r.rejected[0].index, 4u);
  EXPECT_EQ(r.rejected[1].index, 9u);
  EXPECT_EQ(sdk::committed_records({3, 2, 0, 4, 1}, r.rejected), 7u);
  for (auto& s : spools_) {
    std::vector<spool::TargetSpool::ReadEntry> got;
    ASSERT_TRUE(s->read(1000, got).ok());
    std::vector<std::string> ids;
    for (const auto& e : got) {
      sdk::Value v;
      ASSERT_TRUE(sdk::parse_json(e.entry.payload, v).ok());
      ids.emplace_back(v.string_or("source_record_id", "?"));
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"u0", "u1", "u2", "u5", "u6", "u7", "u8"}));  // not u3
  }
  EXPECT_EQ(count_lines(dir_ / "audit", "\"type\":\"record\""), 14u);  // 7 records x 2 targets
  EXPECT_EQ(count_lines(dir_ / "quarantine"), 2u);                          // the two bad records
  EXPECT_EQ(pipeline_->counters().records_spooled.load(), 14u);
}

TEST_F(PipelineTest, TheSourceContextEmitsUnitsAndCountsWhatItCommitted) {
  build(1 << 30);
  runtime::SourceRunner runner("inbox", "test", nullptr, dir_.path(), *pipeline_);
  std::vector<sdk::Record> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(record("c" + std::to_string(i), "测试庚"));
  batch[4].body.erase("event_type");
  batch[9].body.erase("event_type");
  sdk::SourceContext& ctx = runner;  // as a plugin sees it
  sdk::EmitResult r = sdk::emit_units(ctx, std::move(batch), {3, 2, 0, 4, 1});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.rejected.size(), 2u);
  EXPECT_EQ(runner.counters().accepted.load(), 7u);
  EXPECT_EQ(runner.counters().rejected.load(), 3u);  // u4 and u9 quarantined, u3 dropped with u4

  std::vector<sdk::Record> more;
  more.push_back(record("c10", "测试庚"));
  EXPECT_EQ(sdk::emit_units(ctx, std::move(more), {}).status.code(), sdk::StatusCode::invalid_argument);
  EXPECT_EQ(runner.counters().accepted.load(), 7u);
}

TEST_F(PipelineTest, UnitSizesThatDoNotAddUpAreRefusedWhole) {
  build(1 << 30);
  std::vector<sdk::Record> batch;
  for (int i = 0; i < 3; ++i) batch.push_back(record("w" + std::to_string(i), "测试己"));
  sdk::EmitResult r = pipeline_->submit("inbox", std::move(batch), {1, 1});
  EXPECT_EQ(r.status.code(), sdk::StatusCode::invalid_argument);
  EXPECT_NE(r.status.message().find("add up to 2 records, the batch holds 3"), std::string::npos)
      << r.status.message();
  std::vector<spool::TargetSpool::ReadEntry> got;
  ASSERT_TRUE(spools_[0]->read(1000, got).ok());
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(pipeline_->counters().records_in.load(), 0u);
}

TEST_F(PipelineTest, ConcurrentBatchesShareOneCommit) {
  build(1 << 30, /*start=*/false, /*queue_batches=*/64);
  constexpr int kSenders = 40;
  std::vector<sdk::EmitResult> results(kSenders);
  std::vector<std::thread> senders;
  for (int i = 0; i < kSenders; ++i)
    senders.emplace_back([&, i] {
      std::vector<sdk::Record> one;
      one.push_back(record("g" + std::to_string(i), "x"));
      results[i] = pipeline_->submit("inbox", std::move(one));
    });
  // Every batch is queued before a worker runs (a condition, not a time).
  while (pipeline_->queued_batches() < kSenders) std::this_thread::yield();
  pipeline_->start();
  for (auto& t : senders) t.join();
  for (const auto& r : results) ASSERT_TRUE(r.status.ok()) << r.status.message();
  // One worker took all 40 batches: one audit append, one append per spool.
  EXPECT_EQ(pipeline_->counters().commits.load(), 1u);
  EXPECT_EQ(pipeline_->counters().committed_batches.load(), static_cast<std::uint64_t>(kSenders));
  for (auto& s : spools_) {
    std::vector<spool::TargetSpool::ReadEntry> got;
    ASSERT_TRUE(s->read(1000, got).ok());
    EXPECT_EQ(got.size(), static_cast<std::size_t>(kSenders));
  }
  EXPECT_EQ(count_lines(dir_ / "audit", "\"type\":\"record\""), 2u * kSenders);
  pipeline_->stop();  // joins the worker, so its round is counted (the watchdog's progress)
  const PipelineCounters& c = pipeline_->counters();
  EXPECT_EQ(c.groups_finished.load(), 1u);
  // Timed: every batch's wait and whole emit, and the group commit's three steps once.
  const auto batch = c.batch_seconds.snapshot(), queued = c.queued_seconds.snapshot();
  EXPECT_EQ(batch.count, static_cast<std::uint64_t>(kSenders));
  EXPECT_EQ(queued.count, static_cast<std::uint64_t>(kSenders));
  EXPECT_GE(batch.sum_seconds, queued.sum_seconds);  // a batch's emit includes its wait
  EXPECT_EQ(c.transform_seconds.snapshot().count, 1u);
  EXPECT_EQ(c.audit_seconds.snapshot().count, 1u);
  EXPECT_EQ(c.spool_seconds.snapshot().count, 1u);
}

TEST_F(PipelineTest, SmallBatchesFromManySendersGetOneGroupUnderWayAtATime) {
  build(1 << 30, /*start=*/true, /*queue_batches=*/64);
  constexpr int kSenders = 8, kBatches = 40;
  std::vector<std::thread> senders;
  std::atomic<int> failed{0};
  for (int i = 0; i < kSenders; ++i)
    senders.emplace_back([&, i] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<sdk::Record> one;
        one.push_back(record("s" + std::to_string(i) + "-" + std::to_string(b), "x"));
        if (!pipeline_->submit("inbox", std::move(one)).status.ok()) ++failed;
      }
    });
  for (auto& t : senders) t.join();
  EXPECT_EQ(failed.load(), 0);
  const PipelineCounters& c = pipeline_->counters();
  EXPECT_EQ(c.committed_batches.load(), static_cast<std::uint64_t>(kSenders * kBatches));
  // Groups of fewer than 256 records: the worker holding the baton kept it,
  // the other never started a group beside it, and batches arriving during a
  // commit went into the next one.
  EXPECT_EQ(c.parallel_groups.load(), 0u);
  EXPECT_LT(c.commits.load(), static_cast<std::uint64_t>(kSenders * kBatches));
  for (auto& s : spools_) {
    std::vector<spool::TargetSpool::ReadEntry> got;
    ASSERT_TRUE(s->read(1000, got).ok());
    EXPECT_EQ(got.size(), static_cast<std::size_t>(kSenders * kBatches));
  }
}

TEST_F(PipelineTest, AFullSpoolRefusesOnlyTheBatchesThatDoNotFit) {
  build(2500, /*start=*/false, /*queue_batches=*/8);
  sdk::EmitResult small_result, big_result;
  std::thread small([&] {
    std::vector<sdk::Record> b;
    b.push_back(record("fit", "x"));
    small_result = pipeline_->submit("inbox", std::move(b));
  });
  while (pipeline_->queued_batches() < 1) std::this_thread::yield();
  std::thread big([&] {
    std::vector<sdk::Record> b;
    for (int i = 0; i < 40; ++i) b.push_back(record("big" + std::to_string(i), "x"));
    big_result = pipeline_->submit("inbox", std::move(b));
  });
  while (pipeline_->queued_batches() < 2) std::this_thread::yield();
  pipeline_->start();
  small.join();
  big.join();
  EXPECT_TRUE(small_result.status.ok()) << small_result.status.message();
  EXPECT_EQ(big_result.status.code(), sdk::StatusCode::resource_exhausted);
  std::vector<spool::TargetSpool::ReadEntry> got;
  ASSERT_TRUE(spools_[0]->read(1000, got).ok());
  EXPECT_EQ(got.size(), 1u);
}

TEST_F(PipelineTest, RefusesABatchWhenTheSpoolIsFullAndAcceptsAgainAfterDraining) {
  build(4000);
  std::vector<sdk::Record> small;
  for (int i = 0; i < 3; ++i) small.push_back(record("s" + std::to_string(i), "x"));
  ASSERT_TRUE(pipeline_->submit("inbox", std::move(small)).status.ok());
  std::vector<sdk::Record> big;
  for (int i = 0; i < 40; ++i) big.push_back(record("b" + std::to_string(i), "x"));
  sdk::EmitResult r = pipeline_->submit("inbox", std::move(big));
  EXPECT_EQ(r.status.code(), sdk::StatusCode::resource_exhausted);
  EXPECT_NE(r.status.message().find("spool full"), std::string::npos) << r.status.message();
  EXPECT_EQ(pipeline_->counters().batches_refused.load(), 1u);
  // The refused batch was transformed, and neither audited nor spooled.
  EXPECT_EQ(pipeline_->counters().batch_seconds.snapshot().count, 2u);
  EXPECT_EQ(pipeline_->counters().transform_seconds.snapshot().count, 2u);
  EXPECT_EQ(pipeline_->counters().audit_seconds.snapshot().count, 1u);
  EXPECT_EQ(pipeline_->counters().spool_seconds.snapshot().count, 1u);
  // What an ingress answers for it (docs/durability.md): HTTP 503 + Retry-After, HL7 AR.
  sdk::Refusal answer = sdk::refusal_for(r.status);
  EXPECT_EQ(answer.http_status, 503);
  EXPECT_GT(answer.retry_after_seconds, 0);
  EXPECT_EQ(answer.hl7_ack_code, "AR");
  EXPECT_EQ(answer.message, r.status.message());

  // Targets catch up: the spool drains and the same batch is accepted.
  for (auto& s : spools_) {
    std::vector<spool::TargetSpool::ReadEntry> got;
    ASSERT_TRUE(s->read(1000, got).ok());
    ASSERT_EQ(got.size(), 3u);
    ASSERT_TRUE(s->acknowledge(got.back().end).ok());
  }
  EXPECT_EQ(budget_->used(), 0u);
  std::vector<sdk::Record> again;
  for (int i = 0; i < 5; ++i) again.push_back(record("b" + std::to_string(i), "x"));
  EXPECT_TRUE(pipeline_->submit("inbox", std::move(again)).status.ok());
}

TEST_F(PipelineTest, RefusesAnUnroutedSource) {
  build(1 << 30);
  std::vector<sdk::Record> batch;
  batch.push_back(record("1", "x"));
  EXPECT_EQ(pipeline_->submit("nowhere", std::move(batch)).status.code(), sdk::StatusCode::failed_precondition);
}

}  // namespace
}  // namespace medgate::pipeline
