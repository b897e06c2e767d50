#include "spool/dead_letters.h"

#include <algorithm>
#include <chrono>
#include <fstream>

#include <gtest/gtest.h>

#include "../temp_dir.h"
#include "entry_files.h"

namespace medgate::spool {
namespace {

SpoolEntry entry(const std::string& key) { return {key, "p-" + key, "{\"k\":\"" + key + "\"}", 0}; }

std::vector<std::string> keys_of(const DeadLetters& dlq, const std::string& target) {
  std::vector<DeadLetter> all;
  std::uint64_t total = 0;
  EXPECT_TRUE(dlq.read(target, 0, 1000, all, total).ok());
  std::vector<std::string> keys;
  for (const auto& d : all) keys.push_back(d.idempotency_key);
  return keys;
}

TEST(DeadLetters, KeepsEntriesWithReasonAndCountsThem) {
  testing::TempDir dir;
  DeadLetters dlq(dir / "dlq");
  ASSERT_TRUE(dlq.open().ok());
  for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(dlq.add("t", entry(k), std::string("bad ") + k).ok());
  DeadLetterStats st;
  ASSERT_TRUE(dlq.stats("t", st).ok());
  EXPECT_EQ(st.entries, 3u);
  EXPECT_GT(st.bytes, 0u);
  EXPECT_FALSE(st.oldest.empty());
  std::vector<DeadLetter> page;
  std::uint64_t total = 0;
  ASSERT_TRUE(dlq.read("t", 1, 1, page, total).ok());
  EXPECT_EQ(total, 3u);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].idempotency_key, "b");
  EXPECT_EQ(page[0].partition_key, "p-b");
  EXPECT_EQ(page[0].reason, "bad b");
  EXPECT_EQ(page[0].payload, "{\"k\":\"b\"}");
  ASSERT_TRUE(dlq.stats("other", st).ok());
  EXPECT_EQ(st.entries, 0u);
}

TEST(DeadLetters, RemovesSelectedKeysAfterTheSinkTookThem) {
  testing::TempDir dir;
  DeadLetters dlq(dir / "dlq");
  ASSERT_TRUE(dlq.open().ok());
  for (const char* k : {"a", "b", "c", "d"}) ASSERT_TRUE(dlq.add("t", entry(k), "r").ok());
  std::vector<std::string> sunk;
  std::uint64_t selected = 0, removed = 0;
  auto sink = [&](const std::vector<DeadLetter>& chunk, std::uint64_t total) {
    EXPECT_EQ(total, 2u);
    for (const auto& d : chunk) sunk.push_back(d.idempotency_key);
    return sdk::Status::Ok();
  };
  ASSERT_TRUE(dlq.remove("t", {"b", "d", "zz"}, 10, sink, selected, removed).ok());
  EXPECT_EQ(selected, 2u);
  EXPECT_EQ(removed, 2u);
  EXPECT_EQ(sunk, (std::vector<std::string>{"b", "d"}));
  EXPECT_EQ(keys_of(dlq, "t"), (std::vector<std::string>{"a", "c"}));
}

TEST(DeadLetters, ARefusingSinkKeepsItsChunkAndEverythingAfter) {
  testing::TempDir dir;
  DeadLetters dlq(dir / "dlq");
  ASSERT_TRUE(dlq.open().ok());
  for (const char* k : {"a", "b", "c", "d", "e"}) ASSERT_TRUE(dlq.add("t", entry(k), "r").ok());
  int calls = 0;
  auto sink = [&](const std::vector<DeadLetter>&, std::uint64_t) {
    return ++calls == 1 ? sdk::Status::Ok() : sdk::Status::Exhausted("spool full");
  };
  std::uint64_t selected = 0, removed = 0;
  sdk::Status s = dlq.remove("t", {}, 2, sink, selected, removed);
  EXPECT_EQ(s.code(), sdk::StatusCode::resource_exhausted);
  EXPECT_EQ(selected, 5u);
  EXPECT_EQ(removed, 2u);
  auto left = keys_of(dlq, "t");
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"c", "d", "e"}));
}

TEST(DeadLetters, UnreadableLinesAreCountedAndNeverRemoved) {
  testing::TempDir dir;
  DeadLetters dlq(dir / "dlq");
  ASSERT_TRUE(dlq.open().ok());
  ASSERT_TRUE(dlq.add("t", entry("a"), "r").ok());
  { std::ofstream(dlq.file_for("t"), std::ios::app) << "not json\n"; }
  ASSERT_TRUE(dlq.add("t", entry("b"), "r").ok());
  DeadLetterStats st;
  ASSERT_TRUE(dlq.stats("t", st).ok());
  EXPECT_EQ(st.entries, 2u);
  EXPECT_EQ(st.unreadable, 1u);
  std::uint64_t selected = 0, removed = 0;
  auto discard = [](const std::vector<DeadLetter>&, std::uint64_t) { return sdk::Status::Ok(); };
  ASSERT_TRUE(dlq.remove("t", {}, 10, discard, selected, removed).ok());
  EXPECT_EQ(removed, 2u);
  std::ifstream in(dlq.file_for("t"));
  std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rest, "not json\n");
}

TEST(DeadLetters, RetentionRemovesTheOldEntriesOfEveryTarget) {
  testing::TempDir dir;
  DeadLetters dlq(dir / "dlq");
  ASSERT_TRUE(dlq.open().ok());
  for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(dlq.add("t", entry(k), "r").ok());
  ASSERT_TRUE(dlq.add("u", entry("x"), "r").ok());
  ASSERT_TRUE(dlq.add("v", entry("y"), "r").ok());
  // t: two old entries with an unreadable line between them; u: all old; v: recent.
  auto lines = testing_files::backdate(dlq.file_for("t"), 2, "2001-02-03T04:05:06.000Z");
  lines.insert(lines.begin() + 1, "{torn");
  testing_files::write_lines(dlq.file_for("t"), lines);
  testing_files::write_lines(dlq.file_for("u"), testing_files::backdate(dlq.file_for("u"), 1, "2001-02-03T04:05:06.000Z"));

  const auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(1);
  std::vector<std::pair<std::string, std::size_t>> removed;
  ASSERT_TRUE(dlq.remove_older_than(cutoff, testing_files::allow, removed).ok());
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::pair<std::string, std::size_t>>{{"t", 3}, {"u", 1}}));
  EXPECT_EQ(keys_of(dlq, "t"), std::vector<std::string>{"c"});
  EXPECT_TRUE(keys_of(dlq, "u").empty());
  EXPECT_EQ(keys_of(dlq, "v"), std::vector<std::string>{"y"});
  DeadLetterStats st;
  ASSERT_TRUE(dlq.stats("t", st).ok());
  EXPECT_EQ(st.unreadable, 0u);  // the torn line went with the old entries around it

  ASSERT_TRUE(dlq.remove_older_than(cutoff, testing_files::allow, removed).ok());  // nothing old is left
  EXPECT_TRUE(removed.empty());
  ASSERT_TRUE(dlq.add("u", entry("z"), "r").ok());  // and the emptied file takes new entries
  EXPECT_EQ(keys_of(dlq, "u"), std::vector<std::string>{"z"});
}

TEST(DeadLetters, RetentionRemovesATargetsEntriesOnlyOnceBeforeRemovalAgrees) {
  testing::TempDir dir;
  DeadLetters dlq(dir / "dlq");
  ASSERT_TRUE(dlq.open().ok());
  for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(dlq.add("t", entry(k), "r").ok());
  testing_files::write_lines(dlq.file_for("t"),
                             testing_files::backdate(dlq.file_for("t"), 2, "2001-02-03T04:05:06.000Z"));
  const auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(1);
  testing_files::RecordingGate audit;
  const BeforeRemoval gate = audit.gate([&](const std::string& target) { return dlq.file_for(target); });
  std::vector<std::pair<std::string, std::size_t>> removed;

  audit.answer = sdk::Status::Unavailable("the audit log cannot record it");
  EXPECT_EQ(dlq.remove_older_than(cutoff, gate, removed).message(), "the audit log cannot record it");
  EXPECT_TRUE(removed.empty());
  EXPECT_EQ(keys_of(dlq, "t"), (std::vector<std::string>{"a", "b", "c"}));

  audit.answer = sdk::Status::Ok();
  ASSERT_TRUE(dlq.remove_older_than(cutoff, gate, removed).ok());
  EXPECT_EQ(keys_of(dlq, "t"), std::vector<std::string>{"c"});
  using Asked = std::vector<std::pair<std::string, std::size_t>>;
  EXPECT_EQ(audit.asked, (Asked{{"t", 2}, {"t", 2}}));
  ASSERT_EQ(audit.lines_then.size(), 2u);
  EXPECT_EQ(audit.lines_then[1].size(), 3u) << "asked after the old entries were gone";
}

}  // namespace
}  // namespace medgate::spool
