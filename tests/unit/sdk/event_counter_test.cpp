// sdk::EventCounts: the rules every host applies to the events a plugin
// counts (the names become /metrics labels, so they must be words, never data).
#include "medgate/sdk/event_counter.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace medgate::sdk {
namespace {

TEST(EventNames, AcceptWordsAndRefuseAnythingThatCouldBeData) {
  for (const char* ok : {"ack_ae", "a", "http_429", "segments_left_out", "x_123_y"})
    EXPECT_EQ(event_name_problem(ok), "") << ok;
  EXPECT_NE(event_name_problem(""), "");
  EXPECT_NE(event_name_problem(std::string(49, 'a')), "");
  EXPECT_EQ(event_name_problem(std::string(48, 'a')), "");
  EXPECT_NE(event_name_problem("Ack"), "");        // upper case
  EXPECT_NE(event_name_problem("_ack"), "");       // not a letter first
  EXPECT_NE(event_name_problem("9ack"), "");
  EXPECT_NE(event_name_problem("ack-ae"), "");
  EXPECT_NE(event_name_problem("ack ae"), "");
  EXPECT_NE(event_name_problem("患者"), "");
  EXPECT_NE(event_name_problem("sent_13812345678"), "");  // a phone number
  EXPECT_NE(event_name_problem("id_1990"), "");           // four digits in a row
  EXPECT_EQ(event_name_problem("id_199_0"), "");
}

TEST(EventCounts, AddsPerNameAndRefusesBadOrTooManyNames) {
  EventCounts c;
  ASSERT_TRUE(c.count("ack_aa", 1).ok());
  ASSERT_TRUE(c.count("ack_aa", 2).ok());
  ASSERT_TRUE(c.count("ack_ae", 0).ok());  // a name counted 0 times is listed
  Status bad = c.count("mrn_12345", 1);
  EXPECT_EQ(bad.code(), StatusCode::invalid_argument);
  EXPECT_NE(bad.message().find("mrn_12345"), std::string::npos) << bad.message();
  EXPECT_EQ(c.get("ack_aa"), 3u);
  EXPECT_EQ(c.get("ack_ae"), 0u);
  EXPECT_EQ(c.get("never"), 0u);
  EXPECT_EQ(c.snapshot(), (std::vector<std::pair<std::string, std::uint64_t>>{{"ack_aa", 3}, {"ack_ae", 0}}));

  for (std::size_t i = c.snapshot().size(); i < kMaxEventNames; ++i)
    ASSERT_TRUE(c.count("e_" + std::to_string(i), 1).ok()) << i;
  EXPECT_EQ(c.count("one_more", 1).code(), StatusCode::invalid_argument);
  EXPECT_TRUE(c.count("ack_aa", 1).ok());  // names it has still count
  EXPECT_EQ(c.snapshot().size(), kMaxEventNames);
}

TEST(EventCounts, CountsFromManyThreads) {
  EventCounts c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(c.count("sent", 1).ok());
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.get("sent"), 40'000u);
}

}  // namespace
}  // namespace medgate::sdk
