// refusal_for: the documented answer of an ingress when the gateway refuses a batch.
#include "medgate/sdk/refusal.h"

#include <gtest/gtest.h>

namespace {
using namespace medgate::sdk;

TEST(Refusal, SpoolFullIsATemporaryRefusalWithRetryAfter) {
  Refusal r = refusal_for(Status::Exhausted("spool full (1048576 of 1048576 bytes used); input refused until targets catch up"), 7);
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.retry_after_seconds, 7);
  EXPECT_EQ(r.hl7_ack_code, "AR");
  EXPECT_EQ(r.hl7_error_code, "207");
  EXPECT_EQ(r.message, "spool full (1048576 of 1048576 bytes used); input refused until targets catch up");
}

TEST(Refusal, NotDurableIsTemporaryToo) {
  Refusal r = refusal_for(Status::Unavailable("audit log: cannot fsync"));
  EXPECT_EQ(r.http_status, 503);
  EXPECT_EQ(r.retry_after_seconds, 5);
  EXPECT_EQ(r.hl7_ack_code, "AR");
}

TEST(Refusal, RetryAfterIsAtLeastOneSecond) {
  EXPECT_EQ(refusal_for(Status::Exhausted("spool full"), 0).retry_after_seconds, 1);
}

TEST(Refusal, InternalErrorIsA500WithoutRetryAfter) {
  Refusal r = refusal_for(Status::Internal(""));
  EXPECT_EQ(r.http_status, 500);
  EXPECT_EQ(r.retry_after_seconds, 0);
  EXPECT_EQ(r.hl7_ack_code, "AR");
  EXPECT_EQ(r.message, status_code_name(StatusCode::internal));  // never empty
}

}  // namespace
