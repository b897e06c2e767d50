// The line parser: what the writer produces parses into its parts; anything
// else is refused with the reason, and the hashed bytes are where the format
// says they are.
#include "audit/audit_line.h"

#include <gtest/gtest.h>

#include "audit/audit_format.h"
#include "audit_test_support.h"

namespace medgate::audit {
namespace {
using namespace test_support;

const std::string kPrev(64, 'a'), kHash(64, 'b');

std::string line(const std::string& members) {
  return "{\"seq\":7,\"type\":\"dlq_drop\",\"time\":\"2026-11-23T00:00:00.000Z\"" + members + ",\"prev\":\"" + kPrev +
         "\",\"hash\":\"" + kHash + "\"}";
}
const std::string kDlq = ",\"target\":\"t\",\"selection\":\"all\",\"keys\":0,\"count\":3,\"role\":\"operator\"";

TEST(AuditLine, ParsesEveryEntryTypeTheWriterWrites) {
  ::medgate::testing::TempDir dir;
  {
    AuditChain chain(AuditChainOptions{dir.path(), 1 << 20, 0, {}}, crypto::Ed25519Key::generate());
    ASSERT_TRUE(chain.open().ok());
    ASSERT_TRUE(chain.append({entry(1)}, "2026-11-23T00:00:00.000Z").ok());
  }
  auto lines = read_lines(segment(dir.path(), 1));
  ASSERT_EQ(lines.size(), 3u);
  AuditLine e;
  ASSERT_TRUE(parse_audit_line(lines[0], e).ok());
  EXPECT_EQ(e.type, EntryType::segment);
  EXPECT_EQ(e.header.format, kFormat);
  EXPECT_EQ(e.prev, kGenesis);
  ASSERT_TRUE(parse_audit_line(lines[1], e).ok());
  EXPECT_EQ(e.seq, 2u);
  EXPECT_EQ(e.record.record_id, "rec1");
  EXPECT_EQ(e.record.policy_version, 3);
  ASSERT_EQ(e.record.fields.size(), 2u);
  EXPECT_EQ(e.record.fields[0].key_id, "k1");
  EXPECT_EQ(e.record.fields[1].found, (std::vector<std::pair<std::string, std::int64_t>>{{"PHONE", 2}, {"ID", 1}}));
  EXPECT_EQ(entry_hash(e.prev, std::string_view(lines[1]).substr(0, e.body_size)), e.hash);
  ASSERT_TRUE(parse_audit_line(lines[2], e).ok());
  EXPECT_EQ(e.checkpoint.reason, "close");
  EXPECT_EQ(e.checkpoint.first_seq, 1u);
  EXPECT_EQ(e.checkpoint.last_seq, 2u);
  EXPECT_EQ(e.checkpoint.sig.size(), 128u);
}

TEST(AuditLine, RefusesWhatIsNotAnEntry) {
  AuditLine e;
  ASSERT_TRUE(parse_audit_line(line(kDlq), e).ok()) << parse_audit_line(line(kDlq), e).message();
  EXPECT_EQ(e.dead_letters.count, 3);
  auto why = [&](const std::string& text) { return parse_audit_line(text, e).message(); };
  EXPECT_EQ(why(""), "the line does not end with its \"hash\" member");
  EXPECT_EQ(why(line(kDlq) + " "), "the line does not end with its \"hash\" member");
  std::string upper = line(kDlq);
  upper[upper.size() - 3] = 'B';
  EXPECT_EQ(why(upper), "\"hash\" must be 64 lowercase hex digits");
  EXPECT_EQ(why("{\"prev\":\"" + kPrev + "\"" + line(kDlq).substr(line(kDlq).find(",\"hash\""))),
            "\"seq\" must be an integer >= 1");
  std::string moved = line(kDlq);
  moved.replace(moved.find(",\"target\""), 0, ",\"prev\":\"" + kPrev + "\"");
  EXPECT_NE(why(moved).find("duplicate key"), std::string::npos) << why(moved);
  std::string after = line(kDlq);
  after.insert(after.find(",\"hash\""), ",\"x\":1");
  EXPECT_EQ(why(after), "\"prev\" and \"hash\" must be the last two members");
  std::string other = line(kDlq);
  other.replace(other.find("dlq_drop"), 8, "dlq_burn");
  EXPECT_EQ(why(other), "unknown entry type 'dlq_burn'");
  EXPECT_EQ(why(line(",\"target\":\"t\"")), "dlq_drop entry: \"selection\" must be a string");
  std::string broken = line(kDlq);
  broken.replace(broken.find("\"keys\":0"), 8, "\"keys\":0x");
  EXPECT_NE(why(broken).find("not valid JSON"), std::string::npos) << why(broken);
}

}  // namespace
}  // namespace medgate::audit
