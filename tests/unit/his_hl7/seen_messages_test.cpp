// Duplicate detection: survives a restart, forgets beyond its window, keeps
// its file bounded, and makes a concurrent copy wait for the first's outcome
// (or, with try_claim, says it is in flight without waiting).
#include "seen_messages.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <thread>
#include <vector>

#include "temp_dir.h"

using medgate::his_hl7::SeenMessages;

namespace {
std::vector<std::string> lines_in(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t lines_of(const std::string& path) {
  return lines_in(path).size();
}

std::string hex(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}
}  // namespace

TEST(SeenMessages, AcceptedKeyIsKnownAfterRestart) {
  medgate::testing::TempDir dir;
  const std::string path = dir.path() + "/seen";
  {
    SeenMessages seen(path, 10);
    ASSERT_TRUE(seen.open().ok());
    ASSERT_EQ(seen.claim("HIS\x1fH1\x1f"
                         "1"),
              SeenMessages::Claim::first);
    ASSERT_TRUE(seen.finish("HIS\x1fH1\x1f"
                            "1",
                            true)
                    .ok());
    ASSERT_EQ(seen.claim("HIS\x1fH1\x1f"
                         "2"),
              SeenMessages::Claim::first);
    ASSERT_TRUE(seen.finish("HIS\x1fH1\x1f"
                            "2",
                            false)
                    .ok());  // refused: may come again
  }
  SeenMessages again(path, 10);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(again.claim("HIS\x1fH1\x1f"
                        "1"),
            SeenMessages::Claim::already_accepted);
  EXPECT_EQ(again.claim("HIS\x1fH1\x1f"
                        "2"),
            SeenMessages::Claim::first);
  EXPECT_TRUE(again
                  .finish("HIS\x1fH1\x1f"
                          "2",
                          true)
                  .ok());
}

TEST(SeenMessages, KeysWithNewlinesSurviveTheFile) {
  medgate::testing::TempDir dir;
  const std::string path = dir.path() + "/seen";
  const std::string key =
      "A\nB\x1f\r\x1f"
      "7";
  {
    SeenMessages seen(path, 10);
    ASSERT_TRUE(seen.open().ok());
    seen.claim(key);
    ASSERT_TRUE(seen.finish(key, true).ok());
  }
  SeenMessages again(path, 10);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(again.claim(key), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(lines_of(path), 1u);
}

TEST(SeenMessages, ForgetsBeyondTheWindowAndKeepsTheFileBounded) {
  medgate::testing::TempDir dir;
  const std::string path = dir.path() + "/seen";
  {
    SeenMessages seen(path, 5);
    ASSERT_TRUE(seen.open().ok());
    for (int i = 0; i < 23; ++i) {
      const std::string key = "k" + std::to_string(i);
      ASSERT_EQ(seen.claim(key), SeenMessages::Claim::first);
      ASSERT_TRUE(seen.finish(key, true).ok());
    }
    EXPECT_EQ(seen.size(), 5u);
    EXPECT_EQ(seen.claim("k22"), SeenMessages::Claim::already_accepted);
    EXPECT_EQ(seen.claim("k17"), SeenMessages::Claim::first);  // forgotten
    ASSERT_TRUE(seen.finish("k17", false).ok());
  }  // compacting runs beside the appends; one due is done before the destructor returns
  EXPECT_LE(lines_of(path), 10u);
  SeenMessages again(path, 5);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(again.claim("k21"), SeenMessages::Claim::already_accepted);
}

TEST(SeenMessages, DamagedLineIsSkipped) {
  medgate::testing::TempDir dir;
  const std::string path = dir.path() + "/seen";
  std::ofstream(path) << "6b31\nzz-not-hex\n6b3";  // "k1", garbage, a line cut short
  SeenMessages seen(path, 10);
  ASSERT_TRUE(seen.open().ok());
  EXPECT_EQ(seen.claim("k1"), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(seen.size(), 1u);
}

TEST(SeenMessages, ACopyInFlightWaitsForTheFirstOutcome) {
  medgate::testing::TempDir dir;
  SeenMessages seen(dir.path() + "/seen", 10);
  ASSERT_TRUE(seen.open().ok());
  ASSERT_EQ(seen.claim("dup"), SeenMessages::Claim::first);
  std::atomic<int> second{-1};
  std::thread t([&] { second = static_cast<int>(seen.claim("dup")); });
  // The second claim cannot finish while the first holds the key.
  EXPECT_EQ(second.load(), -1);
  ASSERT_TRUE(seen.finish("dup", true).ok());
  t.join();
  EXPECT_EQ(second.load(), static_cast<int>(SeenMessages::Claim::already_accepted));
}

TEST(SeenMessages, TryClaimNeverWaits) {
  medgate::testing::TempDir dir;
  SeenMessages seen(dir.path() + "/seen", 10);
  ASSERT_TRUE(seen.open().ok());
  ASSERT_EQ(seen.try_claim("k"), SeenMessages::Claim::first);
  EXPECT_EQ(seen.try_claim("k"), SeenMessages::Claim::in_flight);  // held: answered at once
  ASSERT_TRUE(seen.finish("k", false).ok());                       // refused: may come again
  ASSERT_EQ(seen.try_claim("k"), SeenMessages::Claim::first);
  ASSERT_TRUE(seen.finish("k", true).ok());
  EXPECT_EQ(seen.try_claim("k"), SeenMessages::Claim::already_accepted);
}

TEST(SeenMessages, FinishAllRemembersTheAcceptedKeysOfABatch) {
  medgate::testing::TempDir dir;
  const std::string path = dir.path() + "/seen";
  {
    SeenMessages seen(path, 10);
    ASSERT_TRUE(seen.open().ok());
    const std::string a = "a", b = "b", c = "c";
    for (const auto* k : {&a, &b, &c}) ASSERT_EQ(seen.try_claim(*k), SeenMessages::Claim::first);
    ASSERT_TRUE(seen.finish_all({{a, true}, {b, false}, {c, true}}).ok());
    EXPECT_EQ(seen.try_claim("b"), SeenMessages::Claim::first);  // released, not remembered
    ASSERT_TRUE(seen.finish("b", false).ok());
  }
  EXPECT_EQ(lines_of(path), 2u);
  SeenMessages again(path, 10);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(again.claim("a"), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(again.claim("c"), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(again.claim("b"), SeenMessages::Claim::first);
}

// The compaction thread writes and syncs the new file without the lock:
// claims and appends made meanwhile go on, and what they append is in the
// new file, after the window's keys read back from the old one, in order.
TEST(SeenMessages, CompactionLetsClaimsGoOnAndKeepsWhatIsAppendedMeanwhile) {
  medgate::testing::TempDir dir;
  const std::string path = dir.path() + "/seen";
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<bool> hook_timed_out{false};
  {
    SeenMessages seen(path, 5);
    bool first_compaction = true;
    seen.set_compaction_hook([&] {
      if (!first_compaction) return;
      first_compaction = false;
      entered.set_value();
      // Guard only: a compaction holding the lock would block the test's
      // finish() below forever; the hook then gives up and says so.
      if (released.wait_for(std::chrono::seconds(30)) != std::future_status::ready) hook_timed_out = true;
    });
    ASSERT_TRUE(seen.open().ok());
    for (int i = 0; i <= 10; ++i) {  // the 11th line is more than twice the window
      const std::string key = "k" + std::to_string(i);
      ASSERT_EQ(seen.claim(key), SeenMessages::Claim::first);
      ASSERT_TRUE(seen.finish(key, true).ok());
    }
    ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready)
        << "no compaction started";
    for (const std::string key : {"m1", "m2"}) {
      ASSERT_EQ(seen.try_claim(key), SeenMessages::Claim::first);
      ASSERT_TRUE(seen.finish(key, true).ok());
    }
    EXPECT_EQ(seen.try_claim("k10"), SeenMessages::Claim::already_accepted);
    release.set_value();
  }
  EXPECT_FALSE(hook_timed_out) << "claims waited for the compaction";
  // The window at the compaction (k6..k10), then what came meanwhile.
  std::vector<std::string> expected;
  for (const std::string key : {"k6", "k7", "k8", "k9", "k10", "m1", "m2"}) expected.push_back(hex(key));
  EXPECT_EQ(lines_in(path), expected);
  SeenMessages again(path, 5);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(again.claim("m2"), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(again.claim("k8"), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(again.claim("k7"), SeenMessages::Claim::first);  // beyond the window of 5
}

// A crash can leave the last line without its newline; the next key must
// not be written onto it (it would be lost at the next start).
TEST(SeenMessages, ALineCutShortIsCompactedAwayAtOpen) {
  medgate::testing::TempDir dir;
  const std::string path = dir.path() + "/seen";
  std::ofstream(path) << hex("k1") << "\n" << hex("k2").substr(0, 3);
  {
    SeenMessages seen(path, 10);
    ASSERT_TRUE(seen.open().ok());
    EXPECT_EQ(lines_in(path), std::vector<std::string>{hex("k1")});
    ASSERT_EQ(seen.claim("k3"), SeenMessages::Claim::first);
    ASSERT_TRUE(seen.finish("k3", true).ok());
  }
  SeenMessages again(path, 10);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(again.claim("k1"), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(again.claim("k3"), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(again.claim("k2"), SeenMessages::Claim::first);
}
