// Original-mode ACKs: for a parsed message, for one with errors, and for
// input that could not be parsed at all.
#include <gtest/gtest.h>

#include "hl7_samples.h"
#include "medgate/sdk/hl7.h"
#include "medgate/sdk/refusal.h"

namespace {
using namespace medgate::sdk;
using namespace medgate::sdk::hl7;
using hl7_samples::adt_a01;
using hl7_samples::lines;
using hl7_samples::parsed;
using hl7_samples::segment;

AckRequest request(AckCode code) {
  AckRequest r;
  r.code = code;
  r.control_id = "ACK0001";
  r.timestamp = "20240501083001+0800";
  return r;
}

// The ACK must itself parse (as the sender will read it).
Message reparsed(const Message& ack) {
  std::string wire;
  EXPECT_TRUE(ack.encode(wire).ok());
  return parsed(wire);
}

TEST(Hl7Ack, AcceptSwapsSenderAndReceiver) {
  Message ack = build_ack(parsed(adt_a01()), request(AckCode::accept));
  EXPECT_EQ(ack.serialize(), lines({"MSH|^~\\&|MEDGATE|GATEWAY|HIS|TEST HOSPITAL|20240501083001+0800||ACK^A01^ACK|"
                                    "ACK0001|P|2.5||||||UNICODE UTF-8",
                                    "MSA|AA|MSG00001"}));
  Message back = reparsed(ack);
  EXPECT_EQ(back.message_code(), "ACK");
  EXPECT_EQ(back.trigger_event(), "A01");
  EXPECT_EQ(segment(back, "MSA").text(2), "MSG00001");
  EXPECT_TRUE(check_header(back).ok());
}

TEST(Hl7Ack, ErrorWithLocationAndTable0357Code) {
  Message original = parsed(lines({"MSH|^~\\&|HIS|H|GW|G|20240501||ADT^A01||P|2.5", "EVN|A01"}));
  AckRequest req = request(AckCode::error);
  req.errors.push_back(check_header(original));  // MSH-10 missing
  Message ack = build_ack(original, req);
  EXPECT_EQ(ack.serialize(),
            lines({"MSH|^~\\&|GW|G|HIS|H|20240501083001+0800||ACK^A01^ACK|ACK0001|P|2.5",
                   "MSA|AE||segment 1 (MSH) field 10: required field MSH-10 (message control id) is empty",
                   "ERR||MSH^1^10|101^Required field missing^HL70357|E|||segment 1 (MSH) field 10: required "
                   "field MSH-10 (message control id) is empty"}));
  const Message back = reparsed(ack);
  const Segment& err = segment(back, "ERR");
  EXPECT_EQ(err.text(2, 1), "MSH");
  EXPECT_EQ(err.text(2, 3), "10");
  EXPECT_EQ(err.text(3, 1), "101");
  EXPECT_EQ(err.text(4), "E");
}

TEST(Hl7Ack, ErrorLocationDownToTheComponent) {
  AckRequest req = request(AckCode::error);
  req.text = "bad identifier";
  req.errors.push_back(Result::failure("102", Location{3, "PID", 1, 3, 2, 4, 0}, "not a known authority"));
  req.errors.push_back(Result::failure("203", Location{1, "MSH", 1, 12, 0, 0, 0}, "version 2.9 is not supported"));
  Message ack = build_ack(parsed(adt_a01()), req);
  EXPECT_EQ(segment(ack, "MSA").text(3), "bad identifier");
  ASSERT_EQ(ack.find_all("ERR").size(), 2u);
  EXPECT_EQ(segment(ack, "ERR", 1).raw(2), "PID^1^3^2^4");
  EXPECT_EQ(segment(ack, "ERR", 1).raw(3), "102^Data type error^HL70357");
  EXPECT_EQ(segment(ack, "ERR", 2).raw(2), "MSH^1^12");
  EXPECT_EQ(segment(ack, "ERR", 2).raw(3), "203^Unsupported version id^HL70357");
  EXPECT_EQ(segment(ack, "ERR", 1).presence(1), Presence::empty);  // ERR-1 only before v2.5
}

TEST(Hl7Ack, VersionsBefore25GetErr1) {
  Message original = parsed(lines({"MSH|^~\\&|HIS|H|GW|G|20240501||ADT^A01|C9|P|2.3.1", "EVN|A01"}));
  AckRequest req = request(AckCode::error);
  req.errors.push_back(Result::failure("101", Location{2, "PID", 1, 5, 0, 0, 0}, "PID-5 is empty"));
  Message ack = build_ack(original, req);
  EXPECT_EQ(ack.version(), "2.3.1");
  EXPECT_EQ(segment(ack, "ERR").raw(1), "PID^1^5^101&Required field missing&HL70357");
  EXPECT_EQ(segment(ack, "ERR").raw(2), "PID^1^5");
}

TEST(Hl7Ack, WarningsOfAnAcceptedMessageAreErrSegmentsOfSeverityW) {
  AckRequest req = request(AckCode::accept);
  std::vector<Result> warnings = {
      Result::failure("103", Location{5, "DG1", 1, 3, 0, 0, 0}, "DG1-3 is not coded in ICD-10: left out")};
  Message ack = build_ack(parsed(adt_a01()), req, warnings);
  EXPECT_EQ(segment(ack, "MSA").text(1), "AA");
  EXPECT_EQ(segment(ack, "MSA").presence(3), Presence::absent);  // a warning is not the answer's text
  const Message back = reparsed(ack);
  const Segment& err = segment(back, "ERR");
  EXPECT_EQ(err.raw(2), "DG1^1^3");
  EXPECT_EQ(err.raw(3), "103^Table value not found^HL70357");
  EXPECT_EQ(err.text(4), "W");
  EXPECT_EQ(err.text(7), "segment 5 (DG1) field 3: DG1-3 is not coded in ICD-10: left out");

  // Before 2.5 an ERR has no severity and would read as an error: no warnings.
  Message old = parsed(lines({"MSH|^~\\&|HIS|H|GW|G|20240501||ADT^A01|C9|P|2.4", "EVN|A01"}));
  EXPECT_TRUE(build_ack(old, req, warnings).find_all("ERR").empty());
}

TEST(Hl7Ack, KeepsTheOriginalsDelimitersAndEscapesText) {
  Message original = parsed(lines({"MSH#$*@%#LAB#SITE#GW#G#20240501##ORU$R01#C1#P#2.5", "OBX#1"}));
  AckRequest req = request(AckCode::error);
  req.text = "value # $ is bad";
  Message ack = build_ack(original, req);
  EXPECT_EQ(ack.serialize(), lines({"MSH#$*@%#GW#G#LAB#SITE#20240501083001+0800##ACK$R01$ACK#ACK0001#P#2.5",
                                    "MSA#AE#C1#value @F@ @S@ is bad"}));
  EXPECT_EQ(segment(reparsed(ack), "MSA").text(3), "value # $ is bad");
}

TEST(Hl7Ack, Gb18030OriginalGetsAGb18030Ack) {
  const std::string gb = lines(
      {"MSH|^~\\&|HIS|\xD2\xBD\xD4\xBA|GW|G|20240501||ADT^A01|GB7|P|2.4||||||GB18030", "PID|1||X||\xD5\xC5\xC8\xFD"});
  AckRequest req = request(AckCode::accept);
  req.text = "已接收";
  Message ack = build_ack(parsed(gb), req);
  EXPECT_EQ(ack.charset(), Charset::gb18030);
  EXPECT_EQ(ack.charset_field(), "GB18030");
  EXPECT_EQ(ack.receiving_facility(), "医院");
  // serialize() is UTF-8; encode() writes what MSH-18 declares.
  EXPECT_NE(ack.serialize().find("|医院|"), std::string::npos);
  std::string wire;
  ASSERT_TRUE(ack.encode(wire).ok());
  EXPECT_NE(wire.find("|\xD2\xBD\xD4\xBA|"), std::string::npos);
  EXPECT_EQ(segment(reparsed(ack), "MSA").text(3), "已接收");
}

TEST(Hl7Ack, DeclaresTheCharsetItIsWrittenIn) {
  // A HIS that sends GB 18030 with an empty MSH-18 (ParseOptions::default_charset).
  ParseOptions his;
  his.default_charset = Charset::gb18030;
  Message original =
      parsed(lines({"MSH|^~\\&|HIS|H|GW|G|20240501||ADT^A01|GB8|P|2.4", "PID|1||X||\xD5\xC5\xC8\xFD"}), his);
  Message ack = build_ack(original, request(AckCode::accept));
  EXPECT_EQ(ack.charset(), Charset::gb18030);
  EXPECT_EQ(ack.charset_field(), "GB 18030-2000");
  EXPECT_EQ(reparsed(ack).charset(), Charset::gb18030);
}

TEST(Hl7Ack, UnparseableInputGetsAMinimalAck) {
  Message partial;
  Result r = parse("garbage\r", partial);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(partial.segment_count(), 0u);
  AckRequest req = request(AckCode::reject);
  req.application = "MEDGATE";
  req.facility = "GW";
  req.errors.push_back(r);
  Message ack = build_ack(partial, req);
  EXPECT_EQ(ack.serialize(),
            lines({"MSH|^~\\&|MEDGATE|GW|||20240501083001+0800||ACK|ACK0001|P|2.5",
                   "MSA|AR||the message does not start with MSH but with \"garb...\"",
                   "ERR|||100^Segment sequence error^HL70357|E|||the message does not start with MSH but with "
                   "\"garb...\""}));
  Message back = reparsed(ack);
  EXPECT_EQ(segment(back, "MSA").text(1), "AR");
  EXPECT_EQ(segment(back, "MSA").text(2), "");
}

TEST(Hl7Ack, FailedParseStillAnswersTheSender) {
  Message partial;
  Result r =
      parse(lines({"MSH|^~\\&|HIS|H\xD2\xBD|GW|G|20240501||ADT^A01|X42|P|2.5||||||ISO IR87", "EVN|A01"}), partial);
  ASSERT_FALSE(r.ok());
  AckRequest req = request(AckCode::reject);
  req.errors.push_back(r);
  Message ack = build_ack(partial, req);
  EXPECT_EQ(segment(ack, "MSA").text(2), "X42");
  EXPECT_EQ(ack.receiving_application(), "HIS");
  EXPECT_EQ(ack.receiving_facility(), "H??");
  EXPECT_EQ(ack.charset_field(), "ASCII");  // not ISO IR87: the ACK is written in ASCII
  EXPECT_EQ(segment(ack, "ERR").raw(2), "MSH^1^18");
  EXPECT_EQ(segment(ack, "ERR").text(3, 1), "103");
  EXPECT_EQ(reparsed(ack).control_id(), "ACK0001");
}

TEST(Hl7Ack, RefusalMapsOntoAnAck) {
  // A full spool: the documented answer of every ingress (refusal.h).
  Refusal refusal = refusal_for(Status::Exhausted("spool full"));
  AckRequest req = request(AckCode::reject);
  req.errors.push_back(Result::failure(refusal.hl7_error_code, {}, refusal.message));
  Message ack = build_ack(parsed(adt_a01()), req);
  EXPECT_EQ(ack_code_name(AckCode::reject), refusal.hl7_ack_code);
  EXPECT_EQ(segment(ack, "MSA").raw(1), "AR");
  EXPECT_EQ(segment(ack, "MSA").raw(3), "spool full");
  EXPECT_EQ(segment(ack, "ERR").raw(3), "207^Application internal error^HL70357");
  EXPECT_EQ(segment(ack, "ERR").presence(2), Presence::empty);  // no location to name
}

TEST(Hl7Ack, CodeNamesAndTable0357) {
  EXPECT_EQ(ack_code_name(AckCode::accept), "AA");
  EXPECT_EQ(ack_code_name(AckCode::error), "AE");
  EXPECT_EQ(ack_code_name(AckCode::reject), "AR");
  EXPECT_EQ(error_code_text("200"), "Unsupported message type");
  EXPECT_EQ(error_code_text("201"), "Unsupported event code");
  EXPECT_EQ(error_code_text("999"), "");
}

}  // namespace
