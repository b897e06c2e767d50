// The writer: a chain that continues across restarts, segment headers and
// signed checkpoints at rolls, every N entries, at close and after a crash; a
// torn last line cut at open; retention behind a signed statement.
#include "audit/audit_chain.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "audit/audit_reader.h"
#include "audit_test_support.h"
#include "crypto/digest.h"

namespace medgate::audit {
namespace {
namespace fs = std::filesystem;
using namespace test_support;

class AuditChainTest : public ::testing::Test {
 protected:
  std::unique_ptr<AuditChain> chain(std::uint64_t segment_bytes = 1 << 20, std::uint64_t every = 0,
                                    std::chrono::milliseconds retention = {}, const std::string& dir = "") {
    return std::make_unique<AuditChain>(
        AuditChainOptions{dir.empty() ? dir_.path() : dir, segment_bytes, every, retention}, key_);
  }
  std::vector<AuditLine> entries(const std::string& dir = "") {
    std::vector<AuditLine> out;
    std::size_t unreadable = 0;
    EXPECT_TRUE(for_each_entry(
                    dir.empty() ? dir_.path() : dir,
                    [&](const AuditLine& e, std::string_view, const EntryPlace&) {
                      out.push_back(e);
                      return true;
                    },
                    unreadable)
                    .ok());
    EXPECT_EQ(unreadable, 0u);
    return out;
  }
  VerifyReport verify(const std::string& dir = "") {
    return verify_audit_log(dir.empty() ? dir_.path() : dir, with_key(*key_));
  }

  ::medgate::testing::TempDir dir_;
  std::shared_ptr<crypto::Ed25519Key> key_ = crypto::Ed25519Key::generate();
};

// An independent check of the documented rule, without the verifier:
// hash = hex(SHA-256(prev || "\n" || line-without-its-hash-member || "}")).
std::string check_by_hand(const std::vector<std::string>& lines) {
  std::string prev = kGenesis;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    auto h = l.rfind(",\"hash\":\"");
    if (h == std::string::npos) return "entry " + std::to_string(i + 1) + " has no hash";
    std::string body = l.substr(0, h) + "}";
    if (body.find("\"prev\":\"" + prev + "\"}") == std::string::npos)
      return "entry " + std::to_string(i + 1) + " breaks the chain";
    if (crypto::to_hex(crypto::sha256(prev + "\n" + body)) != l.substr(h + 9, 64))
      return "entry " + std::to_string(i + 1) + " was modified";
    prev = l.substr(h + 9, 64);
  }
  return "";
}

TEST_F(AuditChainTest, ContinuesOneChainAcrossRestarts) {
  {
    auto c = chain();
    ASSERT_TRUE(c->open().ok());
    ASSERT_TRUE(c->append({entry(1), entry(2)}, "2026-11-23T00:00:00.000Z").ok());
    ASSERT_TRUE(c->append({entry(3)}, "2026-11-23T00:00:01.000Z").ok());
  }  // closes with a signed checkpoint
  {
    auto c = chain();
    ASSERT_TRUE(c->open().ok());
    EXPECT_TRUE(c->notes().empty());
    ASSERT_TRUE(c->append({entry(4), entry(5)}, "2026-11-23T00:00:02.000Z").ok());
    EXPECT_EQ(c->last_seq(), 7u);  // header, 3 records, close, 2 records
    EXPECT_EQ(c->unsigned_entries(), 2u);
  }
  auto lines = read_lines(segment(dir_.path(), 1));
  ASSERT_EQ(lines.size(), 8u);
  EXPECT_EQ(check_by_hand(lines), "");
  EXPECT_NE(lines[0].find("{\"seq\":1,\"type\":\"segment\","), std::string::npos);
  EXPECT_NE(lines[0].find("\"format\":\"medgate-audit/1\",\"segment\":1,\"prev\":\"" + std::string(kGenesis)),
            std::string::npos);
  EXPECT_NE(lines[1].find("\"found\":{\"PHONE\":2,\"ID\":1}"), std::string::npos);
  EXPECT_NE(lines[4].find("\"type\":\"checkpoint\""), std::string::npos);
  EXPECT_NE(lines[4].find("\"reason\":\"close\",\"covers\":{\"first_seq\":1,\"last_seq\":4}"), std::string::npos);
  EXPECT_NE(lines[7].find("\"reason\":\"close\",\"covers\":{\"first_seq\":6,\"last_seq\":7}"), std::string::npos);

  VerifyReport r = verify();
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.checkpoints, 2u);
  EXPECT_EQ(r.signatures_verified, 2u);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.unsigned_entries, 0u);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
}

TEST_F(AuditChainTest, CutsATornLastLineAtOpen) {
  {
    auto c = chain();
    ASSERT_TRUE(c->open().ok());
    ASSERT_TRUE(c->append({entry(1), entry(2), entry(3)}, "2026-11-23T00:00:00.000Z").ok());
  }
  std::ofstream(segment(dir_.path(), 1), std::ios::app) << "{\"seq\":6,\"type\":\"rec";  // a crash mid-write
  EXPECT_EQ(problem(verify()),
            "audit-00000001.ndjson:6: seq 6: truncated: line 6 is incomplete (20 bytes without a "
            "newline): the segment was cut inside an entry");
  {
    auto c = chain();
    ASSERT_TRUE(c->open().ok());
    ASSERT_EQ(c->notes().size(), 1u);
    EXPECT_NE(c->notes()[0].find("cut an incomplete last line (20 bytes)"), std::string::npos) << c->notes()[0];
    ASSERT_TRUE(c->append({entry(4)}, "2026-11-23T00:00:01.000Z").ok());
  }
  VerifyReport r = verify();
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.records, 4u);
}

TEST_F(AuditChainTest, SignsWhatACrashLeftUnsignedAtTheNextOpen) {
  ::medgate::testing::TempDir copy;
  {
    auto c = chain();
    ASSERT_TRUE(c->open().ok());
    ASSERT_TRUE(c->append({entry(1), entry(2), entry(3)}, "2026-11-23T00:00:00.000Z").ok());
    // The state a kill -9 leaves: durable entries, no closing checkpoint.
    fs::copy_file(segment(dir_.path(), 1), segment(copy.path(), 1));
  }
  VerifyReport r = verify(copy.path());
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.unsigned_entries, 4u);
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[0].find("4 entries are not yet signed (there is no signed checkpoint yet)"), std::string::npos)
      << r.warnings[0];
  EXPECT_FALSE(r.closed);
  {
    auto c = chain(1 << 20, 0, {}, copy.path());
    ASSERT_TRUE(c->open().ok());
    EXPECT_EQ(c->unsigned_entries(), 0u);
  }
  auto all = entries(copy.path());
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[4].checkpoint.reason, "recover");
  EXPECT_EQ(all[4].checkpoint.first_seq, 1u);
  EXPECT_EQ(all[4].checkpoint.last_seq, 4u);
  r = verify(copy.path());
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.unsigned_entries, 0u);
  EXPECT_TRUE(r.closed);
}

TEST_F(AuditChainTest, RollsSegmentsWithACheckpointAndAHeader) {
  {
    auto c = chain(2000);
    ASSERT_TRUE(c->open().ok());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(c->append({entry(i)}, "2026-11-23T00:00:00.000Z").ok());
  }
  const std::size_t segments = segment_count(dir_.path());
  ASSERT_GE(segments, 3u);
  for (std::uint64_t n = 1; n <= segments; ++n) {
    auto lines = read_lines(segment(dir_.path(), n));
    AuditLine first, last;
    ASSERT_TRUE(parse_audit_line(lines.front(), first).ok());
    ASSERT_TRUE(parse_audit_line(lines.back(), last).ok());
    EXPECT_EQ(first.type, EntryType::segment);
    EXPECT_EQ(first.header.segment, n);
    EXPECT_EQ(last.type, EntryType::checkpoint);
    EXPECT_EQ(last.checkpoint.reason, n == segments ? "close" : "rotate");
    // Each segment verifies alone too.
    EXPECT_EQ(problem(verify_audit_log(segment(dir_.path(), n), with_key(*key_))), "intact") << n;
  }
  VerifyReport r = verify();
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.segments, segments);
  EXPECT_EQ(r.records, 20u);
  EXPECT_EQ(r.checkpoints, segments);  // one per roll, and the close
}

TEST_F(AuditChainTest, SignsEveryNEntries) {
  {
    auto c = chain(1 << 20, 5);
    ASSERT_TRUE(c->open().ok());
    for (int i = 0; i < 12; ++i) {
      ASSERT_TRUE(c->append({entry(i)}, "2026-11-23T00:00:00.000Z").ok());
      EXPECT_LT(c->unsigned_entries(), 5u);
    }
  }
  int by_count = 0;
  for (const auto& e : entries()) by_count += e.type == EntryType::checkpoint && e.checkpoint.reason == "entries";
  EXPECT_EQ(by_count, 2);  // after the header and 4 records, then after 5 more; 3 are left for the close
  EXPECT_EQ(problem(verify()), "intact");
}

TEST_F(AuditChainTest, IntervalCheckpointsOnlyWhenSomethingIsNew) {
  auto c = chain();
  ASSERT_TRUE(c->open().ok());
  ASSERT_TRUE(c->checkpoint().ok());  // the header is new
  const auto seq = c->last_seq();
  ASSERT_TRUE(c->checkpoint().ok());  // nothing new: nothing written
  EXPECT_EQ(c->last_seq(), seq);
  ASSERT_TRUE(c->append({entry(1)}, "2026-11-23T00:00:00.000Z").ok());
  ASSERT_TRUE(c->checkpoint().ok());
  EXPECT_EQ(c->last_seq(), seq + 2);
  EXPECT_EQ(c->unsigned_entries(), 0u);
}

TEST_F(AuditChainTest, RecordsDeadLetterActions) {
  {
    auto c = chain();
    ASSERT_TRUE(c->open().ok());
    DeadLetterAudit a;
    a.target = "analytics";
    a.selection = "keys";
    a.keys = 2;
    a.count = 2;
    a.role = "operator";
    ASSERT_TRUE(c->append_dead_letters(EntryType::dlq_replay, a).ok());
    a.selection = "all";
    a.keys = 0;
    a.count = 7;
    ASSERT_TRUE(c->append_dead_letters(EntryType::dlq_drop, a).ok());
  }
  auto all = entries();
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[1].type, EntryType::dlq_replay);
  EXPECT_EQ(all[1].dead_letters.role, "operator");
  EXPECT_EQ(all[2].type, EntryType::dlq_drop);
  EXPECT_EQ(all[2].dead_letters.count, 7);
  VerifyReport r = verify();
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.dead_letter_actions, 2u);
}

TEST_F(AuditChainTest, RecordsQuarantineReads) {
  {
    auto c = chain();
    ASSERT_TRUE(c->open().ok());
    ASSERT_TRUE(c->append_quarantine_open({"his", 3, "2026-11-23T08:00:00.000Z", "admin"}).ok());
  }
  auto all = entries();
  ASSERT_EQ(all.size(), 3u);  // header, the read, the closing checkpoint
  EXPECT_EQ(all[1].type, EntryType::quarantine_open);
  EXPECT_EQ(all[1].type_name, "quarantine_open");
  EXPECT_EQ(all[1].quarantine.source, "his");
  EXPECT_EQ(all[1].quarantine.entry, 3u);
  EXPECT_EQ(all[1].quarantine.entry_time, "2026-11-23T08:00:00.000Z");
  EXPECT_EQ(all[1].quarantine.role, "admin");
  VerifyReport r = verify();
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.quarantine_opens, 1u);
}

TEST_F(AuditChainTest, RecordsQuarantineRemovals) {
  {
    auto c = chain();
    ASSERT_TRUE(c->open().ok());
    ASSERT_TRUE(c->append_quarantine_drop({"his", "entries", "operator", 2}).ok());
    ASSERT_TRUE(c->append_quarantine_drop({"inbox", "retention", "medgated", 7}).ok());
  }
  auto all = entries();
  ASSERT_EQ(all.size(), 4u);  // header, two removals, the closing checkpoint
  EXPECT_EQ(all[1].type, EntryType::quarantine_drop);
  EXPECT_EQ(all[1].type_name, "quarantine_drop");
  EXPECT_EQ(all[1].quarantine_drop.source, "his");
  EXPECT_EQ(all[1].quarantine_drop.selection, "entries");
  EXPECT_EQ(all[1].quarantine_drop.role, "operator");
  EXPECT_EQ(all[1].quarantine_drop.count, 2);
  EXPECT_EQ(all[2].quarantine_drop.selection, "retention");
  EXPECT_EQ(all[2].quarantine_drop.count, 7);
  VerifyReport r = verify();
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.quarantine_drops, 2u);
  EXPECT_NE(describe(r).front().find(", 2 quarantine removals, "), std::string::npos) << describe(r).front();
}

TEST_F(AuditChainTest, RecordsHandleOpenings) {
  {
    auto c = chain();
    ASSERT_TRUE(c->open().ok());
    ASSERT_TRUE(
        c->append_handle_open({"sms", "r1", "his", "tok-1", "channels.phone_handle", "token-2026"}).ok());
    ASSERT_TRUE(c->append_handle_open({"sms", "r2", "", "", "channels.wechat_openid_handle", "k2"}).ok());
  }
  auto all = entries();
  ASSERT_EQ(all.size(), 4u);  // header, two openings, the closing checkpoint
  EXPECT_EQ(all[1].type, EntryType::handle_open);
  EXPECT_EQ(all[1].type_name, "handle_open");
  EXPECT_EQ(all[1].handle.target, "sms");
  EXPECT_EQ(all[1].handle.record_id, "r1");
  EXPECT_EQ(all[1].handle.source, "his");
  EXPECT_EQ(all[1].handle.patient_token, "tok-1");
  EXPECT_EQ(all[1].handle.field, "channels.phone_handle");
  EXPECT_EQ(all[1].handle.key_id, "token-2026");
  EXPECT_EQ(all[2].handle.source, "");  // a policy may drop source and patient token
  EXPECT_EQ(all[2].handle.patient_token, "");
  VerifyReport r = verify();
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.handle_opens, 2u);
  EXPECT_NE(describe(r).front().find(", 2 handles opened, "), std::string::npos) << describe(r).front();
}

TEST_F(AuditChainTest, OneWriterPerDirectory) {
  auto a = chain();
  ASSERT_TRUE(a->open().ok());
  auto b = chain();
  sdk::Status s = b->open();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("is in use by another process"), std::string::npos) << s.message();
}

TEST_F(AuditChainTest, RetentionRemovesOldSegmentsBehindASignedStatement) {
  const auto now = std::chrono::system_clock::now();
  std::uint64_t segments = 0;
  {
    auto c = chain(2000, 0, std::chrono::hours(24));
    ASSERT_TRUE(c->open().ok());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(c->append({entry(i)}, "2026-11-23T00:00:00.000Z").ok());
    segments = segment_count(dir_.path());
    ASSERT_GE(segments, 4u);
    RetentionResult removed;
    ASSERT_TRUE(c->apply_retention(now, removed).ok());
    EXPECT_EQ(removed.last_segment, 0u);  // everything is recent
    ASSERT_TRUE(c->apply_retention(now + std::chrono::hours(25), removed).ok());
    EXPECT_EQ(removed.first_segment, 1u);
    EXPECT_EQ(removed.last_segment, segments - 1);  // never the segment being written
    EXPECT_EQ(removed.statement_seq, c->last_seq());
  }
  EXPECT_EQ(segment_count(dir_.path()), 1u);
  auto all = entries();
  const AuditLine* statement = nullptr;
  for (const auto& e : all)
    if (e.type == EntryType::retention) statement = &e;
  ASSERT_TRUE(statement);
  EXPECT_EQ(statement->retention.kept_segment, segments);
  EXPECT_EQ(statement->retention.kept_seq, all.front().seq);
  EXPECT_EQ(statement->retention.kept_prev, all.front().prev);
  EXPECT_EQ(statement->retention.first_seq, 1u);
  EXPECT_EQ(statement->retention.last_seq, all.front().seq - 1);

  VerifyReport r = verify();
  EXPECT_EQ(problem(r), "intact");
  EXPECT_EQ(r.retentions, 1u);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_NE(r.notes[0].find("were removed by retention (statement at seq " + std::to_string(statement->seq)),
            std::string::npos)
      << r.notes[0];
  EXPECT_NE(r.notes[0].find("its signature verifies"), std::string::npos);

  // The statement covers exactly what it names: one more segment gone by hand is a removal.
  {
    auto c = chain(2000, 0, std::chrono::hours(24));
    ASSERT_TRUE(c->open().ok());
    for (int i = 0; i < 12; ++i) ASSERT_TRUE(c->append({entry(i)}, "2026-11-23T00:00:00.000Z").ok());
  }
  EXPECT_EQ(problem(verify()), "intact");
  fs::remove(segment(dir_.path(), segments));
  EXPECT_EQ(problem(verify()).substr(0, 38), "audit-00000001.ndjson: segment missing");
  // And a statement signed by another key does not count.
  EXPECT_NE(problem(verify_audit_log(dir_.path(), with_key(*crypto::Ed25519Key::generate()))).find("segment missing"),
            std::string::npos);
}

}  // namespace
}  // namespace medgate::audit
