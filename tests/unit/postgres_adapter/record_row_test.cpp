// One delivery -> its row's column values (no server).
#include "record_row.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace {
using namespace medgate::postgres_adapter;
using medgate::sdk::Delivery;
using medgate::testing::hex32;
using medgate::testing::profile_json;

TEST(RecordRow, ExtractsTheEnvelopeAndThePatientToken) {
  Delivery d{"idem-1", hex32("patient", 1), profile_json(1, "2026-05-05T08:34:00+08:00")};
  RowResult r = make_row(d);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.row.idempotency_key, "idem-1");
  EXPECT_EQ(r.row.record_id, hex32("record", 1));
  EXPECT_EQ(r.row.source, "inbox");
  EXPECT_EQ(r.row.event_type, "visit");
  EXPECT_EQ(r.row.occurred_at, "2026-05-05T08:34:00+08:00");
  EXPECT_EQ(r.row.patient_token, hex32("patient", 1));
  ASSERT_NE(r.row.payload, nullptr);
  EXPECT_EQ(r.row.payload, &d.payload);  // the payload goes as delivered, not re-serialized
}

TEST(RecordRow, PatientTokenFallsBackToThePayload) {
  Delivery d{"idem-2", "", profile_json(2)};
  RowResult r = make_row(d);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_EQ(r.row.patient_token, hex32("patient", 2));

  Delivery none{"idem-3", "", "{\"record_id\":\"abc\"}"};
  r = make_row(none);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_FALSE(r.row.patient_token.has_value());
}

TEST(RecordRow, AbsentOrMistypedEnvelopeMembersAreNull) {
  Delivery d{"idem-4", "tok", "{\"record_id\":42,\"source\":null,\"event_type\":[\"visit\"],\"patient\":{}}"};
  RowResult r = make_row(d);
  ASSERT_TRUE(r.ok) << r.reason;
  EXPECT_FALSE(r.row.record_id.has_value());
  EXPECT_FALSE(r.row.source.has_value());
  EXPECT_FALSE(r.row.event_type.has_value());
  EXPECT_FALSE(r.row.occurred_at.has_value());
  EXPECT_EQ(r.row.patient_token, "tok");
}

TEST(RecordRow, RefusesWhatCanNeverBeARowWithoutQuotingIt) {
  const std::string secret = "张三 13800138000";
  struct Case {
    Delivery d;
    const char* reason_part;
  };
  std::vector<Case> cases = {
      {{"k", "t", "{\"name\":\"" + secret + "\""}, "not JSON"},
      {{"k", "t", "[\"" + secret + "\"]"}, "not an object"},
      {{"k", "t", "\"" + secret + "\""}, "not an object"},
      {{"", "t", profile_json(5)}, "idempotency key"},
      {{"k", "t", "{\"record_id\":\"a\\u0000b\",\"note\":\"" + secret + "\"}"}, "NUL"},
      {{"k", std::string("t\0x", 3), profile_json(6)}, "NUL"},
  };
  for (const Case& c : cases) {
    RowResult r = make_row(c.d);
    EXPECT_FALSE(r.ok) << c.reason_part;
    EXPECT_NE(r.reason.find(c.reason_part), std::string::npos) << r.reason;
    EXPECT_EQ(r.reason.find("张三"), std::string::npos) << r.reason;
    EXPECT_EQ(r.reason.find("13800138000"), std::string::npos) << r.reason;
  }
}

TEST(RecordRow, LargeAndDeepPayloadsAreLeftToTheServer) {
  std::string big = "{\"record_id\":\"r\",\"notes\":[\"" + std::string(20u << 20, 'x') + "\"]}";
  EXPECT_TRUE(make_row({"k", "t", big}).ok);  // beyond the SDK's default 16 MiB document limit
  std::string deep = std::string(100, '[') + std::string(100, ']');
  EXPECT_TRUE(make_row({"k", "t", "{\"a\":" + deep + "}"}).ok);
}

}  // namespace
