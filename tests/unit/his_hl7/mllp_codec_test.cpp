// MLLP framing: frames split anywhere across reads, junk between frames,
// frames cut short, oversized frames discarded without buffering.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mllp_codec.h"

using medgate::his_hl7::mllp_frame;
using medgate::his_hl7::MllpDecoder;
using medgate::his_hl7::MllpEvent;

namespace {
std::vector<MllpEvent> drain(MllpDecoder& d) {
  std::vector<MllpEvent> out;
  MllpEvent e;
  while (d.next(e)) out.push_back(e);
  return out;
}

const std::string kMsg1 = "MSH|^~\\&|HIS|H1|MEDGATE||20261123||ADT^A01|1|P|2.5\rPID|||1^^^H1^MR\r";
const std::string kMsg2 = "MSH|^~\\&|HIS|H1|MEDGATE||20261123||ADT^A08|2|P|2.5\r";
}  // namespace

TEST(MllpFrame, WrapsInStartAndEndBlocks) {
  EXPECT_EQ(mllp_frame("AB"), std::string("\x0b" "AB\x1c\x0d"));
}

TEST(MllpDecoder, TwoFramesInOneRead) {
  MllpDecoder d(1 << 20);
  d.feed(mllp_frame(kMsg1) + mllp_frame(kMsg2));
  auto events = drain(d);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::message);
  EXPECT_EQ(events[0].payload, kMsg1);
  EXPECT_EQ(events[1].payload, kMsg2);
  EXPECT_EQ(d.pending_bytes(), 0u);
}

TEST(MllpDecoder, FrameSplitAtEveryByte) {
  const std::string wire = mllp_frame(kMsg1) + mllp_frame(kMsg2);
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    MllpDecoder d(1 << 20);
    d.feed(wire.substr(0, cut));
    d.feed(wire.substr(cut));
    auto events = drain(d);
    ASSERT_EQ(events.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(events[0].payload, kMsg1) << "cut at " << cut;
    EXPECT_EQ(events[1].payload, kMsg2) << "cut at " << cut;
  }
}

TEST(MllpDecoder, ByteByByte) {
  const std::string wire = mllp_frame(kMsg1);
  MllpDecoder d(1 << 20);
  for (char c : wire) d.feed(std::string(1, c));
  auto events = drain(d);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].payload, kMsg1);
}

TEST(MllpDecoder, JunkBetweenFramesIsReportedAndSkipped) {
  MllpDecoder d(1 << 20);
  d.feed("\r\nxyz" + mllp_frame(kMsg1) + "\n" + mllp_frame(kMsg2));
  auto events = drain(d);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::junk);
  EXPECT_EQ(events[0].size, 5u);
  EXPECT_EQ(events[1].payload, kMsg1);
  EXPECT_EQ(events[2].kind, MllpEvent::Kind::junk);
  EXPECT_EQ(events[2].size, 1u);
  EXPECT_EQ(events[3].payload, kMsg2);
}

TEST(MllpDecoder, EndBlockWithoutCarriageReturnIsData) {
  MllpDecoder d(1 << 20);
  const std::string inner = std::string("A\x1c" "B", 3);
  d.feed(mllp_frame(inner));
  auto events = drain(d);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].payload, inner);
}

TEST(MllpDecoder, NewStartBlockCutsTheFrameShort) {
  MllpDecoder d(1 << 20);
  d.feed(std::string("\x0b") + "MSH|partial" + mllp_frame(kMsg2));
  auto events = drain(d);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::cut_short);
  EXPECT_EQ(events[0].size, 11u);
  EXPECT_EQ(events[1].payload, kMsg2);
}

TEST(MllpDecoder, OversizedFrameIsDiscardedAndTheNextOneRead) {
  MllpDecoder d(1024);
  const std::string big(5000, 'x');
  const std::string wire = mllp_frame(big) + mllp_frame(kMsg1);
  // In small reads, as a slow sender would send it.
  for (std::size_t i = 0; i < wire.size(); i += 100) d.feed(wire.substr(i, 100));
  auto events = drain(d);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::oversized);
  EXPECT_EQ(events[0].size, 5000u);
  EXPECT_TRUE(events[0].payload.empty());
  EXPECT_EQ(events[1].payload, kMsg1);
}

TEST(MllpDecoder, ExactlyTheLimitIsAccepted) {
  MllpDecoder d(1024);
  d.feed(mllp_frame(std::string(1024, 'y')));
  auto events = drain(d);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, MllpEvent::Kind::message);
  EXPECT_EQ(events[0].payload.size(), 1024u);
}

TEST(MllpDecoder, PendingBytesOfAnUnfinishedFrame) {
  MllpDecoder d(1 << 20);
  d.feed(std::string("\x0b") + "MSH|abc");
  EXPECT_EQ(d.pending_bytes(), 7u);
  EXPECT_TRUE(drain(d).empty());
}
