// Which record of a batch holds a handle a target asks to open, and where.
#include "runtime/handle_locator.h"

#include <gtest/gtest.h>

namespace medgate::runtime {
namespace {

sdk::Delivery record(const std::string& id, const std::string& channels, const std::string& token = "tok") {
  return {id + "/sms", token,
          R"({"schema_version":1,"record_id":")" + id + R"(","source":"his","patient":{"token":")" + token +
              R"("},"channels":)" + channels + "}"};
}

TEST(HandleLocator, NamesTheRecordAndTheFieldThatHoldTheHandle) {
  std::vector<sdk::Delivery> batch{record("r1", R"({"phone_handle":"mgh1.k.AAAA"})", "t1"),
                                   record("r2", R"({"wechat_openid_handle":"mgh1.k.BBBB"})", "t2"),
                                   record("r3", R"({"phone_handle":["mgh1.k.CCCC","mgh1.k.DDDD"]})", "t3")};
  std::size_t hint = 0;
  HandlePlace p;
  ASSERT_TRUE(locate_handle(batch, "mgh1.k.BBBB", hint, p));
  EXPECT_EQ(hint, 1u);
  EXPECT_EQ(p.record_id, "r2");
  EXPECT_EQ(p.source, "his");
  EXPECT_EQ(p.patient_token, "t2");
  EXPECT_EQ(p.field, "channels.wechat_openid_handle");
  // A list of handles: the list's path.
  ASSERT_TRUE(locate_handle(batch, "mgh1.k.DDDD", hint, p));
  EXPECT_EQ(hint, 2u);
  EXPECT_EQ(p.record_id, "r3");
  EXPECT_EQ(p.field, "channels.phone_handle");
  // From the hint on, wrapping around to the start.
  ASSERT_TRUE(locate_handle(batch, "mgh1.k.AAAA", hint, p));
  EXPECT_EQ(hint, 0u);
  EXPECT_EQ(p.record_id, "r1");
  EXPECT_EQ(p.field, "channels.phone_handle");
}

TEST(HandleLocator, OnlyAWholeValueCounts) {
  std::vector<sdk::Delivery> batch{record("r1", R"({"phone_handle":"mgh1.k.AAAAXYZ"})"),
                                   record("r2", R"({"note":"see mgh1.k.AAAA"})")};
  std::size_t hint = 0;
  HandlePlace p;
  EXPECT_FALSE(locate_handle(batch, "mgh1.k.AAAA", hint, p));
  EXPECT_FALSE(locate_handle(batch, "", hint, p));
  EXPECT_FALSE(locate_handle({}, "mgh1.k.AAAA", hint, p));
  EXPECT_EQ(hint, 0u);
}

TEST(HandleLocator, TheSameHandleInTwoRecordsNamesTheOneFromTheHintOn) {
  // One patient, two events in the batch: the same deterministic handle.
  std::vector<sdk::Delivery> batch{record("r1", R"({"phone_handle":"mgh1.k.AAAA"})"),
                                   record("r2", R"({"phone_handle":"mgh1.k.AAAA"})")};
  std::size_t hint = 1;
  HandlePlace p;
  ASSERT_TRUE(locate_handle(batch, "mgh1.k.AAAA", hint, p));
  EXPECT_EQ(p.record_id, "r2");
  hint = 5;  // out of range: from the start
  ASSERT_TRUE(locate_handle(batch, "mgh1.k.AAAA", hint, p));
  EXPECT_EQ(p.record_id, "r1");
}

TEST(HandleLocator, ARecordWithoutEnvelopeMembersStillNamesTheField) {
  std::vector<sdk::Delivery> batch{{"k", "", R"({"channels":{"phone_handle":"mgh1.k.AAAA"}})"},
                                   {"k2", "", "not json mgh1.k.BBBB"}};
  std::size_t hint = 0;
  HandlePlace p;
  ASSERT_TRUE(locate_handle(batch, "mgh1.k.AAAA", hint, p));
  EXPECT_EQ(p.record_id, "");
  EXPECT_EQ(p.patient_token, "");
  EXPECT_EQ(p.field, "channels.phone_handle");
  EXPECT_FALSE(locate_handle(batch, "mgh1.k.BBBB", hint, p));
}

}  // namespace
}  // namespace medgate::runtime
