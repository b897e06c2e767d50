// The source's answer to each message, against the SDK test kit's fake host:
// AA only after the record was emitted, AE/AR with an ERR segment (and the
// message quarantined) otherwise, duplicates acknowledged without a second
// emit, a refused emit answered AR and not remembered.
#include <gtest/gtest.h>

#include <string>

#include "his_hl7_source.h"
#include "medgate/sdk/hl7.h"
#include "medgate/testkit/fake_source_context.h"
#include "temp_dir.h"

namespace medgate::his_hl7 {
namespace {
namespace hl7 = sdk::hl7;

std::string adt(const std::string& control_id, const std::string& pid = "PID|1||MRN1^^^H1^MR||测试^患者||19900307|F") {
  std::string m = "MSH|^~\\&|HIS|H1|MEDGATE|HOSP|20261123083000+0800||ADT^A01^ADT_A01|" + control_id +
                  "|P|2.5|||||CHN|UNICODE UTF-8\rEVN|A01|20261123083000+0800\r";
  if (!pid.empty()) m += pid + "\r";
  return m + "PV1|1|I|CARD^01^02^H1\r";
}

struct Ack {
  std::string code, control_id, text, err_code;
  bool has_err = false;
};

Ack read_ack(const std::string& bytes) {
  hl7::Message m;
  EXPECT_TRUE(hl7::parse(bytes, m).ok()) << bytes;
  Ack a;
  if (const hl7::Segment* msa = m.find("MSA")) {
    a.code = msa->text(1);
    a.control_id = msa->text(2);
    a.text = msa->text(3);
  }
  if (const hl7::Segment* err = m.find("ERR")) {
    a.has_err = true;
    a.err_code = err->text(3);
  }
  return a;
}

class HisHl7SourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HisHl7Options o;
    o.server.max_message_bytes = 4096;
    o.mapping = default_mapping_options();
    source_ = std::make_unique<HisHl7Source>(o);
    ASSERT_TRUE(source_->open_state(ctx_).ok());
  }
  Ack send(const std::string& message) { return read_ack(source_->handle(message, ctx_)); }

  testing::TempDir dir_;
  testkit::FakeSourceContext ctx_{dir_.path(), "his"};
  std::unique_ptr<HisHl7Source> source_;
};

TEST_F(HisHl7SourceTest, GoodMessageIsEmittedThenAnsweredAA) {
  Ack a = send(adt("MSG1"));
  EXPECT_EQ(a.code, "AA");
  EXPECT_EQ(a.control_id, "MSG1");
  EXPECT_FALSE(a.has_err);
  ASSERT_EQ(ctx_.emitted().size(), 1u);
  EXPECT_EQ(ctx_.ids()[0], "HIS^H1^MSG1");
  EXPECT_EQ(ctx_.emitted()[0].at_path("subject.mrn")->as_string(), "MRN1");
  EXPECT_TRUE(ctx_.quarantined().empty());
}

TEST_F(HisHl7SourceTest, ResentMessageIsAnsweredAAWithoutASecondEmit) {
  ASSERT_EQ(send(adt("MSG1")).code, "AA");
  Ack again = send(adt("MSG1"));
  EXPECT_EQ(again.code, "AA");
  EXPECT_EQ(again.control_id, "MSG1");
  EXPECT_NE(again.text.find("duplicate"), std::string::npos);
  EXPECT_EQ(ctx_.emit_calls(), 1);
  EXPECT_EQ(source_->counters().duplicates.load(), 1u);
  // Survives a restart of the source (a new object on the same state dir).
  HisHl7Options o;
  o.mapping = default_mapping_options();
  HisHl7Source restarted(o);
  ASSERT_TRUE(restarted.open_state(ctx_).ok());
  EXPECT_EQ(read_ack(restarted.handle(adt("MSG1"), ctx_)).code, "AA");
  EXPECT_EQ(ctx_.emit_calls(), 1);
}

TEST_F(HisHl7SourceTest, MissingPidIsAnsweredAEAndQuarantined) {
  Ack a = send(adt("MSG2", ""));
  EXPECT_EQ(a.code, "AE");
  EXPECT_EQ(a.control_id, "MSG2");
  EXPECT_TRUE(a.has_err);
  EXPECT_EQ(a.err_code, "100");
  EXPECT_EQ(ctx_.emit_calls(), 0);
  ASSERT_EQ(ctx_.quarantined().size(), 1u);
  EXPECT_EQ(ctx_.quarantined()[0].raw, adt("MSG2", ""));
  EXPECT_EQ(ctx_.quarantined()[0].reason.rfind("AE: HL7 error 100", 0), 0u) << ctx_.quarantined()[0].reason;
}

TEST_F(HisHl7SourceTest, UnsupportedTypeIsAnsweredAR) {
  Ack a = send("MSH|^~\\&|HIS|H1|MEDGATE|HOSP|20261123083000+0800||ORM^O01^ORM_O01|MSG3|P|2.5\rPID|1||M^^^H1^MR\r");
  EXPECT_EQ(a.code, "AR");
  EXPECT_EQ(a.err_code, "200");
  EXPECT_EQ(ctx_.quarantined().size(), 1u);
}

TEST_F(HisHl7SourceTest, UnparseableInputIsAnsweredAndQuarantined) {
  Ack a = send("this is not HL7");
  EXPECT_EQ(a.code, "AE");
  EXPECT_TRUE(a.has_err);
  EXPECT_EQ(ctx_.quarantined().size(), 1u);
}

TEST_F(HisHl7SourceTest, RefusedEmitIsAnsweredARAndNotRemembered) {
  ctx_.refuse_next_emits(1);
  Ack a = send(adt("MSG4"));
  EXPECT_EQ(a.code, "AR");
  EXPECT_EQ(a.err_code, "207");
  EXPECT_NE(a.text.find("spool full"), std::string::npos) << a.text;
  EXPECT_TRUE(ctx_.quarantined().empty());  // nothing kept: the sender resends
  Ack again = send(adt("MSG4"));
  EXPECT_EQ(again.code, "AA");
  EXPECT_EQ(ctx_.emitted().size(), 1u);
}

TEST_F(HisHl7SourceTest, RecordRejectedByTheGatewayIsAnsweredAE) {
  ctx_.reject_when([](const sdk::Value&) { return true; });
  Ack a = send(adt("MSG5"));
  EXPECT_EQ(a.code, "AE");
  EXPECT_EQ(a.err_code, "207");
  EXPECT_EQ(ctx_.quarantined().size(), 1u);
  ctx_.reject_when(nullptr);
  EXPECT_EQ(send(adt("MSG5")).code, "AA");  // a rejected message is not a duplicate
}

TEST_F(HisHl7SourceTest, OversizedFrameIsAnsweredARNamingTheLimit) {
  Ack a = read_ack(source_->handle_oversized(10000, ctx_));
  EXPECT_EQ(a.code, "AR");
  EXPECT_NE(a.text.find("exceeds max_message_bytes (4096)"), std::string::npos) << a.text;
}

// What the MLLP server hands over together is emitted together, and each
// message still gets its own answer: AA, AE for bad content, AA "duplicate"
// for a second copy in the same batch, AE for the message whose record the
// gateway rejected while the others stay accepted.
TEST_F(HisHl7SourceTest, BatchIsEmittedOnceAndEachMessageAnsweredOnItsOwn) {
  ctx_.reject_when([](const sdk::Value& v) {
    const sdk::Value* mrn = v.at_path("subject.mrn");
    return mrn && mrn->as_string() == "MRN-REJECT";
  });
  std::vector<MllpRequest> batch(6);
  batch[0].message = adt("B1");
  batch[1].message = adt("B2", "");  // no PID: AE
  batch[2].message = adt("B3", "PID|1||MRN-REJECT^^^H1^MR||测试^患者||19900307|F");
  batch[3].message = adt("B1");  // the same message again, in the same batch
  batch[4].oversized_bytes = 10000;
  batch[5].message = adt("B6", "PID|1||MRN6^^^H1^MR||测试^患者||19900307|F");
  source_->handle_batch(batch, ctx_);

  ASSERT_EQ(ctx_.batch_sizes().size(), 1u);  // one emit for B1, B3 and B6
  EXPECT_EQ(ctx_.batch_sizes()[0], 3u);
  Ack a0 = read_ack(batch[0].reply), a1 = read_ack(batch[1].reply), a2 = read_ack(batch[2].reply),
      a3 = read_ack(batch[3].reply), a4 = read_ack(batch[4].reply), a5 = read_ack(batch[5].reply);
  EXPECT_EQ(a0.code, "AA");
  EXPECT_EQ(a0.control_id, "B1");
  EXPECT_EQ(a1.code, "AE");
  EXPECT_EQ(a1.control_id, "B2");
  EXPECT_EQ(a2.code, "AE");
  EXPECT_EQ(a2.control_id, "B3");
  EXPECT_NE(a2.text.find("record 1 of 1 refused by the gateway"), std::string::npos) << a2.text;
  EXPECT_EQ(a3.code, "AA");
  EXPECT_NE(a3.text.find("duplicate"), std::string::npos) << a3.text;
  EXPECT_EQ(a4.code, "AR");
  EXPECT_EQ(a5.code, "AA");
  EXPECT_EQ(a5.control_id, "B6");
  ASSERT_EQ(ctx_.emitted().size(), 2u);  // B1 and B6; B3's record was rejected
  EXPECT_EQ(ctx_.quarantined().size(), 2u);  // B2 and B3
  EXPECT_EQ(source_->counters().accepted.load(), 2u);
  EXPECT_EQ(source_->counters().duplicates.load(), 1u);
  // The same counts reach the host as plugin events (/metrics).
  EXPECT_EQ(ctx_.event_count("ack_aa"), 2u);
  EXPECT_EQ(ctx_.event_count("ack_ae"), 2u);
  EXPECT_EQ(ctx_.event_count("ack_ar"), 1u);
  EXPECT_EQ(ctx_.event_count("duplicates"), 1u);

  // B3 was not remembered as accepted; B1 and B6 were.
  ctx_.reject_when(nullptr);
  std::vector<MllpRequest> again(3);
  again[0].message = adt("B1");
  again[1].message = adt("B3", "PID|1||MRN-REJECT^^^H1^MR||测试^患者||19900307|F");
  again[2].message = adt("B6", "PID|1||MRN6^^^H1^MR||测试^患者||19900307|F");
  source_->handle_batch(again, ctx_);
  EXPECT_NE(read_ack(again[0].reply).text.find("duplicate"), std::string::npos);
  EXPECT_EQ(read_ack(again[1].reply).code, "AA");
  EXPECT_NE(read_ack(again[2].reply).text.find("duplicate"), std::string::npos);
  EXPECT_EQ(ctx_.emitted().size(), 3u);
}

TEST_F(HisHl7SourceTest, AMessageOfSeveralPatientsIsCommittedAllOrNothing) {
  ctx_.reject_when([](const sdk::Value& v) {
    const sdk::Value* mrn = v.at_path("subject.mrn");
    return mrn && mrn->as_string() == "MRN-REJECT";
  });
  std::vector<MllpRequest> batch(2);
  // Two patients in one message (one record each); the gateway refuses the second.
  batch[0].message = adt("U1", "PID|1||MRN-A^^^H1^MR||测试^甲||19900307|F\rPV1|1|I\rPID|2||MRN-REJECT^^^H1^MR||测试^乙||19800101|M");
  batch[1].message = adt("U2", "PID|1||MRN-B^^^H1^MR||测试^丙||19700101|M");
  source_->handle_batch(batch, ctx_);

  ASSERT_EQ(ctx_.unit_sizes().size(), 1u);
  EXPECT_EQ(ctx_.unit_sizes()[0], (std::vector<std::size_t>{2, 1}));  // one unit per message
  Ack a0 = read_ack(batch[0].reply), a1 = read_ack(batch[1].reply);
  EXPECT_EQ(a0.code, "AE");
  EXPECT_NE(a0.text.find("record 2 of 2 refused by the gateway"), std::string::npos) << a0.text;
  EXPECT_NE(a0.text.find("nothing of the message was committed"), std::string::npos) << a0.text;
  EXPECT_EQ(a1.code, "AA");
  ASSERT_EQ(ctx_.emitted().size(), 1u);  // MRN-A went down with its message
  EXPECT_EQ(ctx_.emitted()[0].at_path("subject.mrn")->as_string(), "MRN-B");
  ASSERT_EQ(ctx_.quarantined().size(), 1u);  // the whole message, for inspection
  EXPECT_NE(ctx_.quarantined()[0].raw.find("MRN-A"), std::string::npos);

  // Sent again once the cause is fixed, the message is processed whole (not a duplicate).
  ctx_.reject_when(nullptr);
  EXPECT_EQ(send(batch[0].message).code, "AA");
  EXPECT_EQ(ctx_.emitted().size(), 3u);
}

TEST_F(HisHl7SourceTest, WhatTheProfileCannotHoldIsAnAAWarning) {
  const std::string pid = "PID|1||MRN1^^^H1^MR||测试^患者||19900307|F\rDG1|1||401.9^HYPERTENSION^I9";
  std::vector<MllpRequest> batch(2);
  batch[0].message = adt("W1", pid);
  batch[1].message = adt("W2", pid);
  source_->handle_batch(batch, ctx_);
  for (const auto& request : batch) {
    hl7::Message ack;
    ASSERT_TRUE(hl7::parse(request.reply, ack).ok());
    EXPECT_EQ(ack.find("MSA")->text(1), "AA");
    ASSERT_NE(ack.find("ERR"), nullptr) << request.reply;
    EXPECT_EQ(ack.find("ERR")->text(4), "W");
    EXPECT_EQ(ack.find("ERR")->text(3), "103");
    EXPECT_EQ(ack.find("ERR")->raw(2), "DG1^1^3^^3");
  }
  EXPECT_EQ(ctx_.emitted().size(), 2u);  // the messages themselves are taken
  EXPECT_EQ(source_->counters().accepted.load(), 2u);
  EXPECT_EQ(source_->counters().left_out.load(), 2u);
  EXPECT_EQ(ctx_.event_count("segments_left_out"), 2u);
  EXPECT_EQ(ctx_.count_logs("DG1-3 (103 Table value not found)"), 1u) << ctx_.all_logs();  // once per kind
  EXPECT_EQ(ctx_.count_logs("401.9"), 0u);
  EXPECT_EQ(ctx_.count_logs("I9"), 0u);
}

TEST_F(HisHl7SourceTest, RefusedBatchEmitAnswersEveryMessageAR) {
  ctx_.refuse_next_emits(1);
  std::vector<MllpRequest> batch(2);
  batch[0].message = adt("R1");
  batch[1].message = adt("R2");
  source_->handle_batch(batch, ctx_);
  EXPECT_EQ(read_ack(batch[0].reply).code, "AR");
  EXPECT_EQ(read_ack(batch[1].reply).code, "AR");
  source_->handle_batch(batch, ctx_);  // sent again once the spool has room: processed, not duplicates
  EXPECT_EQ(read_ack(batch[0].reply).code, "AA");
  EXPECT_EQ(read_ack(batch[0].reply).text, "");
  EXPECT_EQ(ctx_.emitted().size(), 2u);
}

}  // namespace
}  // namespace medgate::his_hl7
