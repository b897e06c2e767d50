// Duplicate detection: survives a restart, forgets beyond its window, keeps
// its file bounded, and makes a concurrent copy wait for the first's outcome
// (or, with try_claim, says it is in flight without waiting).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "seen_messages.h"
#include "temp_dir.h"

using medgate::his_hl7::SeenMessages;

namespace {
std::size_t lines_of(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}
}  // namespace

TEST(SeenMessages, AcceptedKeyIsKnownAfterRestart) {
  medgate::testing::TempDir dir;
  const std::string path = dir.path() + "/seen";
  {
    SeenMessages seen(path, 10);
    ASSERT_TRUE(seen.open().ok());
    ASSERT_EQ(seen.claim("HIS\x1fH1\x1f" "1"), SeenMessages::Claim::first);
    ASSERT_TRUE(seen.finish("HIS\x1fH1\x1f" "1", true).ok());
    ASSERT_EQ(seen.claim("HIS\x1fH1\x1f" "2"), SeenMessages::Claim::first);
    ASSERT_TRUE(seen.finish("HIS\x1fH1\x1f" "2", false).ok());  // refused: may come again
  }
  SeenMessages again(path, 10);
  ASSERT_TRUE(again.open().ok());
  EXPECT_EQ(again.claim("HIS\x1fH1\x1f" "1"), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(again.claim("HIS\x1fH1\x1f" "2"), SeenMessages::Claim::first);
  EXPECT_TRUE(again.finish("HIS\x1fH1\x1f" "2", true).ok());
}

TEST(SeenMessages, KeysWithNewlinesSurviveTheFile) {
  medgate::testing::TempDir dir;
  const std::string path = dir.path() + "/seen";
  const std::string key = "A\nB\x1f\r\x1f" "7";
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
  SeenMessages seen(path, 5);
  ASSERT_TRUE(seen.open().ok());
  for (int i = 0; i < 23; ++i) {
    const std::string key = "k" + std::to_string(i);
    ASSERT_EQ(seen.claim(key), SeenMessages::Claim::first);
    ASSERT_TRUE(seen.finish(key, true).ok());
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_LE(lines_of(path), 10u);
  EXPECT_EQ(seen.claim("k22"), SeenMessages::Claim::already_accepted);
  EXPECT_EQ(seen.claim("k17"), SeenMessages::Claim::first);  // forgotten
  ASSERT_TRUE(seen.finish("k17", false).ok());
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
  ASSERT_TRUE(seen.finish("k", false).ok());                      // refused: may come again
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
