#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "../temp_dir.h"
#include "entry_files.h"
#include "spool/dead_letters.h"
#include "spool/quarantine_store.h"
#include "spool/target_spool.h"
#include "spool/timestamps.h"

namespace medgate::spool {
namespace {
namespace fs = std::filesystem;

std::vector<SpoolEntry> entries(int from, int n) {
  std::vector<SpoolEntry> out;
  for (int i = from; i < from + n; ++i)
    out.push_back({"rec" + std::to_string(i) + ":t", "patient" + std::to_string(i % 3), "{\"n\":" + std::to_string(i) + "}", 0});
  return out;
}

std::vector<TargetSpool::ReadEntry> read_all(TargetSpool& s) {
  std::vector<TargetSpool::ReadEntry> out;
  EXPECT_TRUE(s.read(1000000, out).ok());
  return out;
}

TEST(TargetSpool, ReadsBackWhatWasAppendedInOrder) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget);
  ASSERT_TRUE(s.open().ok());
  ASSERT_TRUE(s.append(entries(0, 10)).ok());
  ASSERT_TRUE(s.append(entries(10, 5)).ok());
  auto got = read_all(s);
  ASSERT_EQ(got.size(), 15u);
  for (int i = 0; i < 15; ++i) {
    EXPECT_EQ(got[i].entry.idempotency_key, "rec" + std::to_string(i) + ":t");
    EXPECT_EQ(got[i].entry.partition_key, "patient" + std::to_string(i % 3));
    EXPECT_EQ(got[i].entry.payload, "{\"n\":" + std::to_string(i) + "}");
  }
  EXPECT_TRUE(read_all(s).empty());
}

TEST(TargetSpool, StampsEntriesWithTheTimeTheyBecameDurable) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget);
  ASSERT_TRUE(s.open().ok());
  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const std::int64_t before = now_ms();
  ASSERT_TRUE(s.append(entries(0, 3)).ok());
  const std::int64_t after = now_ms();
  for (const auto& e : read_all(s)) {
    EXPECT_GE(e.entry.accepted_unix_ms, before);
    EXPECT_LE(e.entry.accepted_unix_ms, after);
  }
}

TEST(TargetSpool, ResumesAfterTheAcknowledgedEntryOnReopen) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  {
    TargetSpool s(dir.path(), 1 << 20, budget);
    ASSERT_TRUE(s.open().ok());
    ASSERT_TRUE(s.append(entries(0, 10)).ok());
    auto got = read_all(s);
    ASSERT_TRUE(s.acknowledge(got[5].end).ok());  // 0..5 delivered; 6..9 read but not acknowledged
  }
  SpoolBudget budget2(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget2);
  ASSERT_TRUE(s.open().ok());
  auto got = read_all(s);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].entry.idempotency_key, "rec6:t");
}

std::string only_segment(const std::string& dir) {
  std::string seg;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".seg") seg = e.path();
  return seg;
}

std::string last_segment(const std::string& dir) {
  std::string last;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".seg") last = std::max(last, e.path().string());
  return last;
}

// A run that appended entries 0..2 to a spool in `dir` and stopped.
void write_three_and_stop(const std::string& dir, SpoolBudget& budget) {
  TargetSpool s(dir, 1 << 20, budget);
  ASSERT_TRUE(s.open().ok());
  ASSERT_TRUE(s.append(entries(0, 3)).ok());
}

// After write_three_and_stop() and a reopen: entries 3 and 4 append after them.
void expect_two_more_appended(TargetSpool& s) {
  ASSERT_TRUE(s.append(entries(3, 2)).ok());
  std::vector<TargetSpool::ReadEntry> got;
  ASSERT_TRUE(s.read(1000, got).ok());
  ASSERT_EQ(got.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(got[i].entry.idempotency_key, "rec" + std::to_string(i) + ":t");
}

TEST(TargetSpool, CutsATornTailAndKeepsWorking) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  ASSERT_NO_FATAL_FAILURE(write_three_and_stop(dir.path(), budget));
  // A crash in the middle of an append that grew the file leaves a partial frame at its end.
  const std::string seg = only_segment(dir.path());
  ASSERT_FALSE(seg.empty());
  { std::ofstream(seg, std::ios::app | std::ios::binary) << std::string("\x40\x00\x00\x00garbage", 11); }
  SpoolBudget budget2(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget2);
  ASSERT_TRUE(s.open().ok());
  EXPECT_EQ(fs::file_size(seg), TargetSpool::frame_bytes(entries(0, 3)));  // the frames, nothing after them
  expect_two_more_appended(s);
}

TEST(TargetSpool, WritesFramesOverZerosWrittenAhead) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget);
  ASSERT_TRUE(s.open().ok());
  ASSERT_TRUE(s.append(entries(0, 3)).ok());
  const std::string seg = only_segment(dir.path());
  const auto frames = TargetSpool::frame_bytes(entries(0, 3));
  // Zeros after the frames up to the segment size (the next appends change no metadata).
  ASSERT_EQ(fs::file_size(seg), 1u << 20);
  std::ifstream in(seg, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(data.find_first_not_of('\0', frames), std::string::npos);
  ASSERT_TRUE(s.append(entries(3, 2)).ok());
  EXPECT_EQ(fs::file_size(seg), 1u << 20);
  EXPECT_EQ(read_all(s).size(), 5u);
  EXPECT_EQ(s.disk_bytes(), frames + TargetSpool::frame_bytes(entries(3, 2)));  // frames, not zeros
}

TEST(TargetSpool, ReopensBehindTheZerosAndCutsATornAppendAmongThem) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  ASSERT_NO_FATAL_FAILURE(write_three_and_stop(dir.path(), budget));
  const std::string seg = only_segment(dir.path());
  const auto frames = TargetSpool::frame_bytes(entries(0, 3));
  {
    // A crash mid-append over the zeros: a whole frame of the batch reached
    // the disk after a torn one (writes of one batch land in any order).
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(frames));
    f << std::string("\x40\x00\x00\x00torn", 8);
    TargetSpool other((dir.path() + "/other"), 1 << 20, budget);
    ASSERT_TRUE(other.open().ok());
    ASSERT_TRUE(other.append(entries(100, 1)).ok());  // a well-formed frame to copy
    std::ifstream o(only_segment(dir.path() + "/other"), std::ios::binary);
    std::string frame(TargetSpool::frame_bytes(entries(100, 1)), '\0');
    o.read(frame.data(), static_cast<std::streamsize>(frame.size()));
    // Right where the next append will end, so that it would join the frames if left there.
    f.seekp(static_cast<std::streamoff>(frames + TargetSpool::frame_bytes(entries(3, 1))));
    f << frame;
  }
  SpoolBudget budget2(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget2);
  ASSERT_TRUE(s.open().ok());
  EXPECT_EQ(budget2.used(), frames);
  ASSERT_TRUE(s.append(entries(3, 1)).ok());
  auto got = read_all(s);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].entry.idempotency_key, "rec3:t");
  // Reopened again, the frame of the torn batch does not come back.
  SpoolBudget budget3(1 << 30);
  TargetSpool again(dir.path(), 1 << 20, budget3);
  ASSERT_TRUE(again.open().ok());
  got = read_all(again);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].entry.idempotency_key, "rec3:t");
}

TEST(TargetSpool, CutsTheZerosOffASegmentBeforeRollingToTheNext) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  ASSERT_NO_FATAL_FAILURE(write_three_and_stop(dir.path(), budget));
  const std::string first = only_segment(dir.path());
  // Reopened with a smaller segment size (a changed config), the segment is
  // full: the next append rolls, and the reader must find the first
  // segment's end at its last frame, not at zeros it takes for corruption.
  SpoolBudget budget2(1 << 30);
  TargetSpool s(dir.path(), 64, budget2);
  ASSERT_TRUE(s.open().ok());
  expect_two_more_appended(s);
  EXPECT_NE(last_segment(dir.path()), first);
  EXPECT_EQ(fs::file_size(first), TargetSpool::frame_bytes(entries(0, 3)));
}

TEST(TargetSpool, ReopensBehindZerosAndKeepsThem) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  ASSERT_NO_FATAL_FAILURE(write_three_and_stop(dir.path(), budget));
  const std::string seg = only_segment(dir.path());
  SpoolBudget budget2(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget2);
  ASSERT_TRUE(s.open().ok());
  EXPECT_EQ(fs::file_size(seg), 1u << 20);
  expect_two_more_appended(s);
}

// Writes past `bytes` fail with EFBIG while it lives (a disk that is full
// for this process), instead of killing the process with SIGXFSZ.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &old_);
    rlimit limit = old_;
    limit.rlim_cur = bytes;
    EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &limit), 0);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }

 private:
  rlimit old_{};
  void (*old_handler_)(int) = nullptr;
};

TEST(TargetSpool, AppendsWithoutZerosAheadWhenTheyDoNotFit) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget);
  ASSERT_TRUE(s.open().ok());
  const std::string seg = only_segment(dir.path());
  {
    FileSizeLimit full(64 << 10);  // room for the frames, not for 1 MiB of zeros
    ASSERT_TRUE(s.append(entries(0, 3)).ok());
    EXPECT_EQ(fs::file_size(seg), TargetSpool::frame_bytes(entries(0, 3)));
  }
  EXPECT_EQ(read_all(s).size(), 3u);
}

TEST(TargetSpool, AFailedAppendLeavesNoFrameBehind) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  {
    TargetSpool s(dir.path(), 1 << 20, budget);
    ASSERT_TRUE(s.open().ok());
    ASSERT_TRUE(s.append(entries(0, 3)).ok());
    {
      // Fails part way: whole frames of the batch are written before the one that does not fit.
      FileSizeLimit full(16 << 10);
      std::vector<SpoolEntry> big = entries(3, 2);
      big.push_back({"rec5:t", "patient2", std::string(32 << 10, 'x'), 0});
      EXPECT_FALSE(s.append(big).ok());
    }
    // As long as rec3's frame: if the failed batch were left on disk, its
    // whole frame rec4 would follow this one as if appended with it.
    ASSERT_TRUE(s.append(entries(9, 1)).ok());
    auto got = read_all(s);
    ASSERT_EQ(got.size(), 4u);
    EXPECT_EQ(got[3].entry.idempotency_key, "rec9:t");
  }
  SpoolBudget budget2(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget2);
  ASSERT_TRUE(s.open().ok());
  auto got = read_all(s);
  ASSERT_EQ(got.size(), 4u);  // none of the failed batch, after a restart either
  EXPECT_EQ(got[3].entry.idempotency_key, "rec9:t");
}

TEST(TargetSpool, RollsSegmentsAndReleasesThemWhenConsumed) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  TargetSpool s(dir.path(), 200, budget);  // tiny segments: a roll every few appends
  ASSERT_TRUE(s.open().ok());
  for (int i = 0; i < 20; ++i) {
    auto batch = entries(i * 3, 3);
    ASSERT_TRUE(budget.try_reserve(TargetSpool::frame_bytes(batch)));  // as the pipeline does
    ASSERT_TRUE(s.append(batch).ok());
  }
  int segments = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) segments += e.path().extension() == ".seg";
  EXPECT_GT(segments, 5);
  const auto used_before = budget.used();
  EXPECT_EQ(used_before, s.disk_bytes());
  auto got = read_all(s);
  ASSERT_EQ(got.size(), 60u);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(got[i].entry.idempotency_key, "rec" + std::to_string(i) + ":t");
  ASSERT_TRUE(s.acknowledge(got.back().end).ok());
  segments = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) segments += e.path().extension() == ".seg";
  EXPECT_EQ(segments, 1);  // only the active one is left
  EXPECT_EQ(budget.used(), 0u);  // nothing undelivered is left
}

TEST(SpoolBudget, RefusesPastTheLimit) {
  SpoolBudget b(100);
  EXPECT_TRUE(b.try_reserve(60));
  EXPECT_FALSE(b.try_reserve(41));
  EXPECT_EQ(b.used(), 60u);
  b.release(60);
  EXPECT_TRUE(b.try_reserve(100));
}

TEST(SpoolBudget, RefusingUntilTheRefusedRequestWouldFit) {
  SpoolBudget b(100);
  EXPECT_TRUE(b.try_reserve(70));
  EXPECT_FALSE(b.refusing());
  EXPECT_FALSE(b.try_reserve(40));  // a source is refused
  EXPECT_TRUE(b.refusing());
  EXPECT_TRUE(b.try_reserve(10));   // a smaller request fits, the larger one still would not
  EXPECT_TRUE(b.refusing());
  b.release(30);                    // targets catch up: 50 used, 40 would fit now
  EXPECT_FALSE(b.refusing());
  EXPECT_FALSE(b.try_reserve(60));
  EXPECT_TRUE(b.refusing());
  b.release(50);
  EXPECT_TRUE(b.try_reserve(60));   // the refused request fit: no longer refusing,
  EXPECT_FALSE(b.refusing());       // although another 60 would not fit now
  EXPECT_EQ(b.used(), 60u);
}

TEST(TargetSpool, WaitForDataWakesOnAppend) {
  testing::TempDir dir;
  SpoolBudget budget(1 << 30);
  TargetSpool s(dir.path(), 1 << 20, budget);
  ASSERT_TRUE(s.open().ok());
  EXPECT_FALSE(s.wait_for_data(std::chrono::milliseconds(1)));
  std::thread writer([&] { ASSERT_TRUE(s.append(entries(0, 1)).ok()); });
  // Returns as soon as the append is durable, long before the timeout.
  bool ready = s.wait_for_data(std::chrono::minutes(5));
  writer.join();
  EXPECT_TRUE(ready);
}

TEST(QuarantineStore, EncryptsAtRestAndOpensWithTheKey) {
  testing::TempDir dir;
  QuarantineStore q(dir.path(), std::string(32, 'k'));
  ASSERT_TRUE(q.open().ok());
  const std::string raw = "{\"name\":\"测试丙\",\"id_number\":\"11010519491231002X\"}";
  ASSERT_TRUE(q.add("inbox", raw, "inbox.ndjson:3: invalid JSON").ok());
  std::ifstream in(q.file_for("inbox"));
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.find("11010519491231002X"), std::string::npos) << "raw value stored in clear";
  EXPECT_NE(line.find("inbox.ndjson:3: invalid JSON"), std::string::npos);
  auto at = line.find("\"sealed\":\"") + 10;
  std::string sealed = line.substr(at, line.find('"', at) - at);
  std::string back;
  ASSERT_TRUE(q.open_sealed(sealed, back).ok());
  EXPECT_EQ(back, raw);
  QuarantineStore other(dir.path(), std::string(32, 'x'));
  EXPECT_FALSE(other.open_sealed(sealed, back).ok());
}

using testing_files::allow;
using testing_files::backdate;
using testing_files::write_lines;

TEST(QuarantineStore, RetentionRemovesTheEntriesOlderThanTheCutoff) {
  testing::TempDir dir;
  QuarantineStore q(dir.path(), std::string(32, 'k'));
  ASSERT_TRUE(q.open().ok());
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(q.add("inbox", "raw " + std::to_string(i), "bad " + std::to_string(i)).ok());
  ASSERT_TRUE(q.add("his", "MSH|x", "no PID").ok());
  ASSERT_TRUE(q.add("old", "x", "old").ok());
  // inbox: two old entries with an unreadable line between them, then two new.
  auto lines = backdate(q.file_for("inbox"), 2, "2000-01-01T00:00:00.000Z");
  lines.insert(lines.begin() + 1, "{torn");
  write_lines(q.file_for("inbox"), lines);
  write_lines(q.file_for("old"), backdate(q.file_for("old"), 1, "1999-12-31T23:59:59.999Z"));

  const auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(24);
  std::vector<std::pair<std::string, std::size_t>> removed;
  ASSERT_TRUE(q.remove_older_than(cutoff, allow, removed).ok());
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::pair<std::string, std::size_t>>{{"inbox", 3}, {"old", 1}}));

  std::ifstream in(q.file_for("inbox"));
  std::vector<std::string> kept;
  for (std::string line; std::getline(in, line);) kept.push_back(line);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_NE(kept[0].find("\"reason\":\"bad 2\""), std::string::npos) << kept[0];
  auto at = kept[1].find("\"sealed\":\"") + 10;
  std::string back;
  ASSERT_TRUE(q.open_sealed(kept[1].substr(at, kept[1].find('"', at) - at), back).ok());
  EXPECT_EQ(back, "raw 3");
  EXPECT_EQ(std::filesystem::file_size(q.file_for("old")), 0u);
  std::ifstream his(q.file_for("his"));
  std::string his_line;
  ASSERT_TRUE(std::getline(his, his_line));  // its one entry is recent: kept
  EXPECT_NE(his_line.find("\"reason\":\"no PID\""), std::string::npos);

  // Nothing older is left: a second pass removes nothing, and new entries append.
  ASSERT_TRUE(q.remove_older_than(cutoff, allow, removed).ok());
  EXPECT_TRUE(removed.empty());
  ASSERT_TRUE(q.add("old", "y", "new").ok());
  ASSERT_TRUE(q.remove_older_than(cutoff, allow, removed).ok());
  EXPECT_TRUE(removed.empty());
}

TEST(QuarantineStore, RemovesTheNamedEntriesOrAll) {
  testing::TempDir dir;
  QuarantineStore q(dir.path(), std::string(32, 'k'));
  ASSERT_TRUE(q.open().ok());
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(q.add("his", "raw " + std::to_string(i), "bad " + std::to_string(i)).ok());
  auto reasons = [&] {
    std::vector<std::string> out;
    std::ifstream in(q.file_for("his"));
    for (std::string line; std::getline(in, line);) {
      auto at = line.find("\"reason\":\"") + 10;
      out.push_back(line.substr(at, line.find('"', at) - at));
    }
    return out;
  };

  // A number past the end removes nothing and says how many there are.
  std::vector<RemovedQuarantineEntry> removed;
  sdk::Status s = q.remove_entries("his", {2, 6}, allow, removed);
  EXPECT_EQ(s.code(), sdk::StatusCode::invalid_argument);
  EXPECT_NE(s.message().find("has 5 quarantined inputs; there is no entry 6"), std::string::npos) << s.message();
  EXPECT_TRUE(removed.empty());
  EXPECT_EQ(q.remove_entries("his", {0}, allow, removed).code(), sdk::StatusCode::invalid_argument);
  EXPECT_EQ(reasons().size(), 5u);

  // Entries 2 and 4 (named twice, in any order) go; the rest keep their order.
  ASSERT_TRUE(q.remove_entries("his", {4, 2, 4}, allow, removed).ok());
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].entry, 2u);
  EXPECT_EQ(removed[0].reason, "bad 2");
  EXPECT_FALSE(removed[0].time.empty());
  EXPECT_EQ(removed[1].entry, 4u);
  EXPECT_EQ(removed[1].reason, "bad 4");
  EXPECT_EQ(reasons(), (std::vector<std::string>{"bad 1", "bad 3", "bad 5"}));

  // The others keep their numbers: 2 and 4 are gone for good.
  std::vector<std::uint64_t> numbers;
  for (const auto& e : q.entries("his")) numbers.push_back(e.entry);
  EXPECT_EQ(numbers, (std::vector<std::uint64_t>{1, 3, 5}));
  s = q.remove_entries("his", {2}, allow, removed);
  EXPECT_NE(s.message().find("has 3 quarantined inputs; there is no entry 2"), std::string::npos) << s.message();

  // An unreadable line counts as the number after the line before it and can
  // be removed by it; "all" takes the rest.
  std::ofstream(q.file_for("his"), std::ios::app) << "{torn\n";
  ASSERT_EQ(q.entries("his").back().entry, 6u);
  ASSERT_TRUE(q.remove_entries("his", {6}, allow, removed).ok());
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].entry, 6u);
  EXPECT_EQ(removed[0].reason, "(unreadable line)");
  ASSERT_TRUE(q.remove_entries("his", {}, allow, removed).ok());
  EXPECT_EQ(removed.size(), 3u);
  EXPECT_TRUE(reasons().empty());
  ASSERT_TRUE(q.remove_entries("his", {}, allow, removed).ok());
  EXPECT_TRUE(removed.empty());
  EXPECT_EQ(q.remove_entries("his", {1}, allow, removed).code(), sdk::StatusCode::invalid_argument);
  ASSERT_TRUE(q.add("his", "raw 6", "bad 6").ok());  // appends go on after a removal
  EXPECT_EQ(reasons(), (std::vector<std::string>{"bad 6"}));
  EXPECT_EQ(q.entries("his").front().entry, 7u) << "a number was given out twice";
  // A source that never quarantined anything has nothing to remove.
  ASSERT_TRUE(q.remove_entries("nothing", {}, allow, removed).ok());
  EXPECT_TRUE(removed.empty());
}

// The gateway writes the audit entry of a removal in BeforeRemoval: it is
// asked with the count while every entry is still there, and its refusal
// removes nothing.
TEST(QuarantineStore, RemovesOnlyOnceBeforeRemovalAgreesAndNothingWhenItRefuses) {
  testing::TempDir dir;
  QuarantineStore q(dir.path(), std::string(32, 'k'));
  ASSERT_TRUE(q.open().ok());
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(q.add("his", "raw", "bad " + std::to_string(i)).ok());
  const std::string file = q.file_for("his");
  write_lines(file, backdate(file, 1, "2000-01-01T00:00:00.000Z"));
  const std::vector<std::string> all = testing_files::read_lines(file);
  const auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(24);
  testing_files::RecordingGate audit;
  const BeforeRemoval gate = audit.gate([&](const std::string& source) { return q.file_for(source); });
  using Asked = std::vector<std::pair<std::string, std::size_t>>;

  audit.answer = sdk::Status::Unavailable("the audit log cannot record it");
  std::vector<RemovedQuarantineEntry> removed;
  EXPECT_EQ(q.remove_entries("his", {1, 3}, gate, removed).message(), "the audit log cannot record it");
  EXPECT_TRUE(removed.empty());
  std::vector<std::pair<std::string, std::size_t>> old;
  EXPECT_EQ(q.remove_older_than(cutoff, gate, old).message(), "the audit log cannot record it");
  EXPECT_TRUE(old.empty());
  EXPECT_EQ(testing_files::read_lines(file), all) << "a refused removal removed something";
  EXPECT_EQ(audit.asked, (Asked{{"his", 2}, {"his", 1}}));

  audit.answer = sdk::Status::Ok();
  ASSERT_TRUE(q.remove_entries("his", {3}, gate, removed).ok());
  ASSERT_TRUE(q.remove_older_than(cutoff, gate, old).ok());
  EXPECT_EQ(old, (Asked{{"his", 1}}));
  EXPECT_EQ(audit.asked, (Asked{{"his", 2}, {"his", 1}, {"his", 1}, {"his", 1}}));
  ASSERT_EQ(audit.lines_then.size(), 4u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(audit.lines_then[i], all) << "asked after removing, question " << i;
  EXPECT_EQ(audit.lines_then[3].size(), 2u);
  ASSERT_EQ(q.entries("his").size(), 1u);
  EXPECT_EQ(q.entries("his").front().entry, 2u);

  // Nothing to remove: nothing asked.
  ASSERT_TRUE(q.remove_older_than(cutoff, gate, old).ok());
  ASSERT_TRUE(q.remove_entries("empty", {}, gate, removed).ok());
  EXPECT_EQ(audit.asked.size(), 4u);
}

TEST(QuarantineStore, NumbersAreNeverGivenOutTwiceAcrossRestarts) {
  testing::TempDir dir;
  std::vector<RemovedQuarantineEntry> removed;
  auto numbers = [](const QuarantineStore& q, const std::string& source) {
    std::vector<std::uint64_t> out;
    for (const auto& e : q.entries(source)) out.push_back(e.entry);
    return out;
  };
  {
    QuarantineStore q(dir.path(), std::string(32, 'k'));
    ASSERT_TRUE(q.open().ok());
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(q.add("his", "raw", "bad " + std::to_string(i)).ok());
    ASSERT_TRUE(q.remove_entries("his", {}, allow, removed).ok());
    EXPECT_EQ(std::filesystem::file_size(q.file_for("his")), 0u);
  }
  // After a restart with an emptied file, numbering goes on from 4.
  QuarantineStore q(dir.path(), std::string(32, 'k'));
  ASSERT_TRUE(q.open().ok());
  ASSERT_TRUE(q.add("his", "raw", "bad 4").ok());
  EXPECT_EQ(numbers(q, "his"), (std::vector<std::uint64_t>{4}));
  EXPECT_EQ(q.remove_entries("his", {1}, allow, removed).code(), sdk::StatusCode::invalid_argument);
}

TEST(QuarantineStore, OpenNumbersOlderEntriesAsTheyWereListedAndEndsATornLine) {
  testing::TempDir dir;
  std::string path;
  {
    QuarantineStore q(dir.path(), std::string(32, 'k'));
    ASSERT_TRUE(q.open().ok());
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(q.add("inbox", "raw " + std::to_string(i), "bad " + std::to_string(i)).ok());
    path = q.file_for("inbox");
  }
  // As written before entries had numbers: no "entry" member; an unreadable
  // line in the middle, and a last line cut short by a crash.
  std::vector<std::string> lines = testing_files::read_lines(path);
  ASSERT_EQ(lines.size(), 3u);
  for (auto& line : lines) {
    auto at = line.find("\"entry\":");
    ASSERT_NE(at, std::string::npos) << line;
    line.erase(at, line.find(',', at) + 1 - at);
  }
  lines.insert(lines.begin() + 1, "{torn in the middle");
  {
    std::ofstream out(path, std::ios::trunc);
    for (const auto& line : lines) out << line << "\n";
    out << "{\"time\":\"2026-11-2";  // no newline
  }

  QuarantineStore q(dir.path(), std::string(32, 'k'));
  ASSERT_TRUE(q.open().ok());
  // Positions as listed before: 1, the torn line 2, then 3 and 4; the torn tail 5.
  std::vector<std::uint64_t> got;
  for (const auto& e : q.entries("inbox")) got.push_back(e.entry);
  EXPECT_EQ(got, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  std::vector<std::string> rewritten = testing_files::read_lines(path);
  ASSERT_EQ(rewritten.size(), 5u);
  EXPECT_EQ(rewritten[0].rfind("{\"entry\":1,\"time\":", 0), 0u) << rewritten[0];
  EXPECT_EQ(rewritten[1], "{torn in the middle");
  EXPECT_EQ(rewritten[3].rfind("{\"entry\":4,", 0), 0u) << rewritten[3];
  // The next entry gets its own line and number; the numbered entries still open.
  ASSERT_TRUE(q.add("inbox", "raw 6", "bad 6").ok());
  const auto entries = q.entries("inbox");
  ASSERT_EQ(entries.size(), 6u);
  EXPECT_EQ(entries.back().entry, 6u);
  EXPECT_EQ(entries.back().value.string_or("reason", ""), "bad 6");
  std::string raw;
  ASSERT_TRUE(q.open_sealed(entries[2].value.string_or("sealed", ""), raw).ok());
  EXPECT_EQ(raw, "raw 2");
  // Removing one leaves the others' numbers alone.
  std::vector<RemovedQuarantineEntry> removed;
  ASSERT_TRUE(q.remove_entries("inbox", {3}, allow, removed).ok());
  got.clear();
  for (const auto& e : q.entries("inbox")) got.push_back(e.entry);
  EXPECT_EQ(got, (std::vector<std::uint64_t>{1, 2, 4, 5, 6}));
}

TEST(DeadLetters, KeepsTheReasonAndThePayload) {
  testing::TempDir dir;
  DeadLetters d(dir.path());
  ASSERT_TRUE(d.open().ok());
  ASSERT_TRUE(d.add("pg", {"r1:pg", "tok", "{\"a\":1}"}, "HTTP 400: schema mismatch").ok());
  std::ifstream in(d.file_for("pg"));
  std::string line;
  std::getline(in, line);
  EXPECT_NE(line.find("\"reason\":\"HTTP 400: schema mismatch\""), std::string::npos);
  EXPECT_NE(line.find("\"idempotency_key\":\"r1:pg\""), std::string::npos);
}

}  // namespace
}  // namespace medgate::spool
