// The verifier against each way of tampering with a log: a flipped byte (in a
// value, a hash, a prev), a deleted entry, two swapped entries, a segment cut
// inside a line or at a line boundary, a removed segment (middle, first,
// last), renamed segments, a forged signature and a rewritten history.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "audit_test_support.h"

namespace medgate::audit {
namespace {
namespace fs = std::filesystem;
using namespace test_support;

class AuditVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuditChain chain(AuditChainOptions{dir_.path(), 2000, 0, {}}, key_);
    ASSERT_TRUE(chain.open().ok());
    for (int i = 0; i < 24; ++i) ASSERT_TRUE(chain.append({entry(i)}, "2026-11-23T00:00:00.000Z").ok());
    ASSERT_TRUE(chain.close().ok());
    segments_ = segment_count(dir_.path());
    ASSERT_GE(segments_, 4u);
    ASSERT_EQ(problem(verify()), "intact");
  }
  VerifyReport verify(VerifyOptions options) { return verify_audit_log(dir_.path(), options); }
  VerifyReport verify() { return verify(with_key(*key_)); }
  std::string seg(std::uint64_t n) const { return segment(dir_.path(), n); }
  std::uint64_t seq_at(std::uint64_t n, std::size_t line) {
    AuditLine e;
    EXPECT_TRUE(parse_audit_line(read_lines(seg(n))[line - 1], e).ok());
    return e.seq;
  }
  // Index of segment n's line (from 1) among all lines of the log.
  std::size_t index_of(std::uint64_t n, std::size_t line) {
    std::size_t before = 0;
    for (std::uint64_t i = 1; i < n; ++i) before += read_lines(seg(i)).size();
    return before + line - 1;
  }
  void edit_line(std::uint64_t n, std::size_t line, const std::string& from, const std::string& to) {
    auto lines = read_lines(seg(n));
    auto at = lines[line - 1].find(from);
    ASSERT_NE(at, std::string::npos) << lines[line - 1];
    lines[line - 1].replace(at, from.size(), to);
    write_lines(seg(n), lines);
  }

  ::medgate::testing::TempDir dir_;
  std::shared_ptr<crypto::Ed25519Key> key_ = crypto::Ed25519Key::generate();
  std::uint64_t segments_ = 0;
};

TEST_F(AuditVerifierTest, AFlippedByteInAValueIsAModifiedEntry) {
  const auto seq = seq_at(2, 3);
  edit_line(2, 3, "\"source\":\"inbox\"", "\"source\":\"inbpx\"");
  EXPECT_EQ(problem(verify()),
            "audit-00000002.ndjson:3: seq " + std::to_string(seq) +
                ": modified: the entry does not match its hash (its content or its hash was changed)");
}

TEST_F(AuditVerifierTest, AFlippedByteInAHashIsAModifiedEntry) {
  const auto seq = seq_at(2, 3);
  auto lines = read_lines(seg(2));
  const auto h = lines[2].rfind(",\"hash\":\"") + 9;
  lines[2][h] = lines[2][h] == 'a' ? 'b' : 'a';
  write_lines(seg(2), lines);
  EXPECT_EQ(problem(verify()),
            "audit-00000002.ndjson:3: seq " + std::to_string(seq) +
                ": modified: the entry does not match its hash (its content or its hash was changed)");
}

TEST_F(AuditVerifierTest, AFlippedByteInAPrevIsAModifiedEntry) {
  const auto seq = seq_at(3, 2);
  auto lines = read_lines(seg(3));
  const auto p = lines[1].rfind(",\"prev\":\"") + 9;
  lines[1][p] = lines[1][p] == 'a' ? 'b' : 'a';
  write_lines(seg(3), lines);
  EXPECT_EQ(problem(verify()),
            "audit-00000003.ndjson:2: seq " + std::to_string(seq) +
                ": modified: the entry does not match its hash (its content or its hash was changed)");
}

TEST_F(AuditVerifierTest, ADeletedEntryIsARemoval) {
  const auto seq = seq_at(2, 3);
  auto lines = read_lines(seg(2));
  lines.erase(lines.begin() + 2);
  write_lines(seg(2), lines);
  EXPECT_EQ(problem(verify()), "audit-00000002.ndjson:3: seq " + std::to_string(seq) + ": removed: seq " +
                                   std::to_string(seq) + " is gone: seq " + std::to_string(seq - 1) +
                                   " is followed by seq " + std::to_string(seq + 1));
}

TEST_F(AuditVerifierTest, TwoSwappedEntriesAreReordered) {
  const auto seq = seq_at(2, 3);
  auto lines = read_lines(seg(2));
  std::swap(lines[2], lines[3]);
  write_lines(seg(2), lines);
  EXPECT_EQ(problem(verify()), "audit-00000002.ndjson:3: seq " + std::to_string(seq + 1) + ": reordered: seq " +
                                   std::to_string(seq + 1) + " comes before seq " + std::to_string(seq));
}

TEST_F(AuditVerifierTest, ASegmentCutInsideALineIsTruncated) {
  const auto lines = read_lines(seg(2));
  fs::resize_file(seg(2), fs::file_size(seg(2)) - 10);
  const auto n = lines.size();
  EXPECT_EQ(problem(verify()), "audit-00000002.ndjson:" + std::to_string(n) + ": seq " +
                                   std::to_string(seq_at(3, 1) - 1) + ": truncated: line " + std::to_string(n) +
                                   " is incomplete (" + std::to_string(lines.back().size() - 9) +
                                   " bytes without a newline): the segment was cut inside an entry");
}

TEST_F(AuditVerifierTest, ASegmentCutAtALineBoundaryIsTruncated) {
  auto lines = read_lines(seg(2));
  const auto n = lines.size();
  const auto next = seq_at(3, 1);
  lines.resize(n - 2);
  write_lines(seg(2), lines);
  EXPECT_EQ(problem(verify()), "audit-00000002.ndjson:" + std::to_string(n - 1) + ": seq " + std::to_string(next - 2) +
                                   ": truncated: the segment ends at seq " + std::to_string(next - 3) +
                                   " but audit-00000003.ndjson continues at seq " + std::to_string(next) + ": seqs " +
                                   std::to_string(next - 2) + ".." + std::to_string(next - 1) + " at its end are gone");
}

TEST_F(AuditVerifierTest, TheEndCutAtALineBoundaryIsAWarningUnlessTheLogMustBeClosed) {
  auto lines = read_lines(seg(segments_));
  const auto last = seq_at(segments_, lines.size());
  lines.resize(lines.size() - 2);  // the closing checkpoint and a record
  write_lines(seg(segments_), lines);
  VerifyReport r = verify();
  EXPECT_EQ(problem(r), "intact");  // what a crash leaves looks the same
  ASSERT_FALSE(r.warnings.empty());
  EXPECT_NE(r.warnings[0].find("are not yet signed"), std::string::npos) << r.warnings[0];
  VerifyOptions closed = with_key(*key_);
  closed.require_closed = true;
  EXPECT_EQ(problem(verify(closed)), segment_file_name(segments_) + ":" + std::to_string(lines.size()) + ": seq " +
                                         std::to_string(last - 2) +
                                         ": truncated: the log does not end with a close checkpoint: it was cut after "
                                         "seq " +
                                         std::to_string(last - 2) + ", or medgated is running or did not stop cleanly");
  // An anchor taken before the cut catches it without --closed.
  VerifyOptions anchored = with_key(*key_);
  anchored.anchor = std::make_pair(last, std::string(64, '0'));
  EXPECT_NE(problem(verify(anchored))
                .find("truncated: the log ends at seq " + std::to_string(last - 2) + ", before the anchor seq " +
                      std::to_string(last)),
            std::string::npos);
}

TEST_F(AuditVerifierTest, AnAnchorMustStillBeThereWithItsHash) {
  VerifyReport before = verify();
  VerifyOptions anchored = with_key(*key_);
  anchored.anchor = std::make_pair(before.last_signed_seq, before.last_signed_hash);
  VerifyReport r = verify(anchored);
  EXPECT_EQ(problem(r), "intact");
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes.back().find("is present with its hash"), std::string::npos);
  anchored.anchor->second[0] = anchored.anchor->second[0] == 'a' ? 'b' : 'a';
  EXPECT_NE(problem(verify(anchored)).find(": modified: its hash "), std::string::npos);
}

TEST_F(AuditVerifierTest, ARemovedMiddleSegmentIsMissing) {
  const auto end = seq_at(2, read_lines(seg(2)).size());
  fs::remove(seg(3));
  EXPECT_EQ(problem(verify()), "audit-00000003.ndjson: seq " + std::to_string(end + 1) +
                                   ": segment missing: audit-00000003.ndjson is gone: the log goes from seq " +
                                   std::to_string(end) +
                                   " at the end of audit-00000002.ndjson to audit-00000004.ndjson");
}

TEST_F(AuditVerifierTest, ARemovedFirstSegmentWithoutAStatementIsMissing) {
  fs::remove(seg(1));
  EXPECT_EQ(problem(verify()),
            "audit-00000001.ndjson: segment missing: audit-00000001.ndjson is gone and no signed "
            "retention statement covers its removal (the log starts at seq " +
                std::to_string(seq_at(2, 1)) + " in audit-00000002.ndjson)");
}

TEST_F(AuditVerifierTest, ARemovedLastSegmentIsMissing) {
  const auto end = seq_at(segments_ - 1, read_lines(seg(segments_ - 1)).size());
  fs::remove(seg(segments_));
  EXPECT_EQ(problem(verify()), segment_file_name(segments_) + ": seq " + std::to_string(end + 1) +
                                   ": segment missing: the log ends with the checkpoint that rolled " +
                                   segment_file_name(segments_ - 1) + " (seq " + std::to_string(end) +
                                   "), so the segment after it is gone");
}

TEST_F(AuditVerifierTest, RenamedSegmentsAreReordered) {
  fs::remove(seg(2));
  for (std::uint64_t n = 3; n <= segments_; ++n) fs::rename(seg(n), seg(n - 1));
  EXPECT_EQ(problem(verify()), "audit-00000002.ndjson:1: seq " + std::to_string(seq_at(2, 1)) +
                                   ": reordered: the file holds segment 3, not 2: segment files were renamed");
}

TEST_F(AuditVerifierTest, AForgedCheckpointSignatureIsABadSignature) {
  // The rotate checkpoint at the end of segment 2, re-signed by another key
  // that claims the real key's name; hashes re-computed, as anyone can.
  auto lines = read_lines(seg(2));
  AuditLine cp;
  ASSERT_TRUE(parse_audit_line(lines.back(), cp).ok());
  ASSERT_EQ(cp.type, EntryType::checkpoint);
  auto forger = crypto::Ed25519Key::generate();
  const std::string forged = forger->sign_hex(checkpoint_statement(
      cp.seq, cp.time, cp.checkpoint.reason, cp.checkpoint.first_seq, cp.checkpoint.last_seq, cp.prev));
  edit_line(2, lines.size(), cp.checkpoint.sig, forged);
  reseal(dir_.path(), index_of(2, lines.size()));
  EXPECT_EQ(problem(verify()), "audit-00000002.ndjson:" + std::to_string(lines.size()) + ": seq " +
                                   std::to_string(cp.seq) + ": bad signature: the signature does not verify with key " +
                                   key_->fingerprint() +
                                   ": the entries before it were rewritten, or the signature was forged");
  // Without a key only the chain is checked, and that alone is fooled.
  VerifyReport r = verify(VerifyOptions{});
  EXPECT_EQ(problem(r), "intact");
  EXPECT_NE(r.warnings.back().find("signatures NOT checked"), std::string::npos);
}

TEST_F(AuditVerifierTest, ARewrittenHistoryFailsAtTheNextSignature) {
  edit_line(2, 3, "\"source\":\"inbox\"", "\"source\":\"other\"");
  reseal(dir_.path(), index_of(2, 3));
  const auto n = read_lines(seg(2)).size();  // the checkpoint that rolled segment 2
  const std::string want = "audit-00000002.ndjson:" + std::to_string(n) + ": seq " + std::to_string(seq_at(2, n)) +
                           ": bad signature: the signature does not verify";
  EXPECT_EQ(problem(verify()).substr(0, want.size()), want);
  EXPECT_EQ(problem(verify(VerifyOptions{})), "intact");  // the chain alone is consistent again
}

// A log a newer writer made (another format name in its headers, hashes all
// consistent, perhaps entry types this reader does not know) is refused as
// such: never intact, never called tampered.
TEST_F(AuditVerifierTest, ANewerFormatIsRefusedNamingItNotReportedAsModified) {
  auto lines = read_lines(seg(1));
  AuditLine header;
  ASSERT_TRUE(parse_audit_line(lines[0], header).ok());
  std::string body = lines[0].substr(0, header.body_size);
  const auto at = body.find("\"format\":\"" + std::string(kFormat) + "\"");
  ASSERT_NE(at, std::string::npos) << body;
  body.replace(at, 11 + std::string(kFormat).size(), "\"format\":\"medgate-audit/2\"");
  lines[0] = body + ",\"hash\":\"" + entry_hash(header.prev, body) + "\"}";
  write_lines(seg(1), lines);
  reseal(dir_.path(), 1);
  // The last entry becomes one of a type this reader does not know, its hash
  // re-computed too.
  auto last = read_lines(seg(segments_));
  std::string& l = last.back();
  std::string last_body = l.substr(0, l.rfind(",\"hash\":\""));
  const auto type_at = last_body.find("\"type\":\"") + 8;
  last_body.replace(type_at, last_body.find('"', type_at) - type_at, "consent");
  l = last_body + ",\"hash\":\"" + entry_hash(last_body.substr(last_body.size() - 65, 64), last_body) + "\"}";
  write_lines(seg(segments_), last);
  EXPECT_EQ(problem(verify()), "audit-00000001.ndjson:1: seq 1: unsupported: format 'medgate-audit/2', not " +
                                   std::string(kFormat));
  EXPECT_EQ(problem(verify(VerifyOptions{})), problem(verify()));
}

TEST_F(AuditVerifierTest, AnotherKeyIsNotAccepted) {
  auto other = crypto::Ed25519Key::generate();
  const auto n = read_lines(seg(1)).size();
  EXPECT_EQ(problem(verify(with_key(*other))),
            "audit-00000001.ndjson:" + std::to_string(n) + ": seq " + std::to_string(seq_at(1, n)) +
                ": bad signature: signed with key " + key_->fingerprint() +
                ", which is not among the verifying keys given (" + other->fingerprint() + ")");
}

TEST_F(AuditVerifierTest, ReportsWhatItChecked) {
  VerifyReport r = verify();
  EXPECT_EQ(r.segments, segments_);
  EXPECT_EQ(r.first_seq, 1u);
  EXPECT_EQ(r.records, 24u);
  EXPECT_EQ(r.checkpoints, segments_);
  EXPECT_EQ(r.signatures_verified, segments_);
  EXPECT_TRUE(r.closed);
  EXPECT_EQ(r.last_signed_seq, r.last_seq);
  auto lines = describe(r);
  EXPECT_EQ(lines[0].substr(0, 8), "intact: ");
  EXPECT_NE(lines[1].find("signatures: " + std::to_string(segments_) + " verified with key " + key_->fingerprint()),
            std::string::npos);
}

TEST(AuditVerifier, AnEmptyDirectoryHasNoLog) {
  ::medgate::testing::TempDir dir;
  VerifyReport r = verify_audit_log(dir.path(), {});
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(r.problem->kind, "segment missing");
  EXPECT_NE(r.problem->detail.find("no audit segments"), std::string::npos);
}

}  // namespace
}  // namespace medgate::audit
