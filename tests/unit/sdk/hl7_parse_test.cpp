// HL7 v2 parsing and building: numbering, repetitions, nulls, separators,
// delimiters, round trips and errors with their location.
#include <gtest/gtest.h>

#include "hl7_samples.h"
#include "medgate/sdk/hl7.h"

namespace {
using namespace medgate::sdk;
using namespace medgate::sdk::hl7;
using hl7_samples::adt_a01;
using hl7_samples::lines;
using hl7_samples::parsed;
using hl7_samples::segment;

Result parse_failure(std::string_view bytes, Message* partial = nullptr, const ParseOptions& o = {}) {
  Message m;
  Result r = parse(bytes, m, o);
  EXPECT_FALSE(r.ok()) << "parsed: " << bytes;
  EXPECT_FALSE(r.status.message().empty());
  if (partial != nullptr) *partial = std::move(m);
  return r;
}

TEST(Hl7Parse, ReadsTheHeaderOfAnAdtA01) {
  Message m = parsed(adt_a01());
  ASSERT_EQ(m.segment_count(), 6u);
  EXPECT_EQ(m.segments()[0].id(), "MSH");
  EXPECT_EQ(m.segments()[5].id(), "NTE");
  EXPECT_EQ(m.message_code(), "ADT");
  EXPECT_EQ(m.trigger_event(), "A01");
  EXPECT_EQ(m.message_structure(), "ADT_A01");
  EXPECT_EQ(m.control_id(), "MSG00001");
  EXPECT_EQ(m.processing_id(), "P");
  EXPECT_EQ(m.version(), "2.5");
  EXPECT_EQ(m.sending_application(), "HIS");
  EXPECT_EQ(m.sending_facility(), "TEST HOSPITAL");
  EXPECT_EQ(m.receiving_application(), "MEDGATE");
  EXPECT_EQ(m.receiving_facility(), "GATEWAY");
  EXPECT_EQ(m.charset_field(), "UNICODE UTF-8");
  EXPECT_EQ(m.charset(), Charset::utf8);
  EXPECT_TRUE(check_header(m).ok());
}

TEST(Hl7Parse, MshOneIsTheFieldSeparatorAndMshTwoTheEncodingCharacters) {
  Message m = parsed(adt_a01());
  const Segment& msh = segment(m, "MSH");
  EXPECT_EQ(msh.text(1), "|");
  EXPECT_EQ(msh.text(2), "^~\\&");
  EXPECT_EQ(msh.raw(2), "^~\\&");
  EXPECT_EQ(msh.repetition_count(2), 1u);
  EXPECT_EQ(msh.text(3), "HIS");
  EXPECT_EQ(msh.text(7), "20240501083000+0800");
  EXPECT_EQ(msh.field_count(), 18u);
  // Other segments count from the first field after the id.
  const Segment& evn = segment(m, "EVN");
  EXPECT_EQ(evn.text(1), "A01");
  EXPECT_EQ(evn.field_count(), 2u);
}

TEST(Hl7Parse, RepetitionsComponentsAndSubcomponents) {
  Message m = parsed(adt_a01());
  const Segment& pid = segment(m, "PID");
  EXPECT_EQ(pid.repetition_count(3), 3u);
  EXPECT_EQ(pid.repetition_texts(3), (std::vector<std::string>{"MRN0001", "ID-TEST-0001", ""}));
  EXPECT_EQ(pid.text({3, 2, 4}), "CHN");
  EXPECT_EQ(pid.text({3, 2, 5}), "NNCHN");
  EXPECT_EQ(pid.component_count(3, 1), 5u);
  EXPECT_EQ(pid.text(5, 1), "DOE");
  EXPECT_EQ(pid.text(5, 2), "JOHN");
  EXPECT_EQ(pid.raw(5), "DOE^JOHN^Q");
  EXPECT_EQ(pid.repetition_texts(13), (std::vector<std::string>{"555-0100", "555-0199"}));
  EXPECT_EQ(pid.repetition_texts(13, 3), (std::vector<std::string>{"PH", "CP"}));
  const Segment& pv1 = segment(m, "PV1");
  EXPECT_EQ(pv1.subcomponent_count(3, 1, 6), 3u);
  EXPECT_EQ(pv1.text(3, 6, 2), "1.2.3");
  EXPECT_EQ(pv1.text({3, 1, 6, 3}), "ISO");
  EXPECT_EQ(pv1.subcomponent_count(3, 1, 7), 0u);
  EXPECT_EQ(pv1.component_count(3, 2), 0u);
  EXPECT_EQ(pv1.repetition_count(9), 0u);
}

// Separators are counted 8 bytes at a time: parts of every length from 0 to
// 9 bytes, ASCII or UTF-8, and separators at every offset, are all counted.
TEST(Hl7Parse, CountsRepetitionsComponentsAndFieldsOfEveryLength) {
  for (std::size_t n = 1; n <= 20; ++n) {
    for (const char* filler : {"x", "测"}) {
      std::string field, component;
      for (std::size_t i = 0; i < n; ++i) {
        std::string part;
        for (std::size_t k = 0; k < (i * 7 + n) % 10; ++k) part += filler;
        field += (i ? "~" : "") + part;
        component += (i ? "^" : "") + part;
      }
      std::string fields;  // n empty or short fields after PID-3
      for (std::size_t i = 0; i < n; ++i) fields += "|" + std::string(i % 3, 'f');
      Message m = parsed(lines({"MSH|^~\\&|HIS|H|GW|G|20260101||ADT^A01|C1|P|2.5",
                                "PID|1||" + field + "|" + component + fields}));
      const Segment& pid = segment(m, "PID");
      EXPECT_EQ(pid.repetition_count(3), n) << "n=" << n << " filler=" << filler;
      EXPECT_EQ(pid.component_count(4), n) << "n=" << n << " filler=" << filler;
      EXPECT_EQ(pid.field_count(), 4 + n) << "n=" << n << " filler=" << filler;
    }
  }
}

TEST(Hl7Parse, NullIsNotEmptyIsNotAbsent) {
  Message m = parsed(lines({hl7_samples::kAdtMsh, R"(PID|1||""|X|""^A)"}));
  const Segment& pid = segment(m, "PID");
  EXPECT_EQ(pid.presence(1), Presence::valued);
  EXPECT_EQ(pid.presence(2), Presence::empty);
  EXPECT_EQ(pid.presence(3), Presence::null);
  EXPECT_TRUE(pid.is_null(3));
  EXPECT_EQ(pid.text(3), "");
  EXPECT_EQ(pid.presence(5), Presence::valued);  // only a component is null
  EXPECT_TRUE(pid.is_null({5, 1, 1}));
  EXPECT_FALSE(pid.is_null({5, 1, 2}));
  EXPECT_EQ(pid.presence(6), Presence::absent);
  EXPECT_EQ(pid.presence(0), Presence::absent);
  // PID-3 of the sample: its third identifier is the null.
  const Message adt = parsed(adt_a01());
  const Segment& adt_pid = segment(adt, "PID");
  EXPECT_TRUE(adt_pid.is_null({3, 3, 1}));
  EXPECT_FALSE(adt_pid.is_null({3, 2, 1}));
}

TEST(Hl7Parse, EscapesAreResolvedWithTheMessagesDelimiters) {
  Message m = parsed(adt_a01());
  EXPECT_EQ(segment(m, "OBX").text(5), "Line one\npipe | caret ^ amp & tilde ~ backslash \\");
  EXPECT_EQ(segment(m, "NTE").text(3), "Important keep \\Zlocal\\ as is, Hi\n hex");
}

TEST(Hl7Parse, CrCrLfAndLfSeparatorsBlankLinesAndNoLastSeparatorGiveTheSameMessage) {
  const Message cr = parsed(adt_a01("\r"));
  EXPECT_EQ(parsed(adt_a01("\r\n")), cr);
  EXPECT_EQ(parsed(adt_a01("\n")), cr);
  EXPECT_EQ(parsed(adt_a01("\n\r")), cr);  // a line feed before the carriage return ends the line
  EXPECT_EQ(parsed(adt_a01("\r\r\n")), cr);
  std::string ragged = "\r\n" + adt_a01("\n\n");
  ragged.pop_back();
  ragged.pop_back();  // no separator after the last segment
  EXPECT_EQ(parsed(ragged), cr);
  EXPECT_EQ(parsed(lines({hl7_samples::kAdtMsh, "", "  ", hl7_samples::kAdtEvn})).segment_count(), 2u);
}

TEST(Hl7Parse, SkipsAUtf8ByteOrderMark) {
  EXPECT_EQ(parsed("\xEF\xBB\xBF" + adt_a01()), parsed(adt_a01()));
}

TEST(Hl7Parse, CustomDelimiters) {
  // field #, component $, repetition *, escape @, subcomponent %
  Message m = parsed(lines({"MSH#$*@%#LAB#SITE#MEDGATE#GW#20240501##ORU$R01$ORU_R01#C1#P#2.4",
                            "PID#1##A1$$$H%1*B2#|^~\\&#DOE$JANE", "OBX#1#ST#X##a@F@b@S@c@R@d@T@e@E@f|g"}));
  EXPECT_EQ(m.delimiters().field, '#');
  EXPECT_EQ(m.delimiters().escape, '@');
  EXPECT_EQ(segment(m, "MSH").text(1), "#");
  EXPECT_EQ(segment(m, "MSH").text(2), "$*@%");
  EXPECT_EQ(m.trigger_event(), "R01");
  const Segment& pid = segment(m, "PID");
  EXPECT_EQ(pid.repetition_texts(3), (std::vector<std::string>{"A1", "B2"}));
  EXPECT_EQ(pid.text({3, 1, 4, 2}), "1");
  EXPECT_EQ(pid.text(4), "|^~\\&");  // the usual delimiters are plain text here
  EXPECT_EQ(pid.text(5, 2), "JANE");
  EXPECT_EQ(segment(m, "OBX").text(5), "a#b$c*d%e@f|g");
  EXPECT_EQ(parsed(m.serialize()), m);
}

TEST(Hl7Parse, TruncationCharacterOfV27) {
  Message m = parsed(lines({"MSH|^~\\&#|A|B|C|D|20240501||ADT^A04|1|P|2.7", "NTE|1||50\\P\\ off #1"}));
  EXPECT_EQ(m.delimiters().truncation, '#');
  EXPECT_EQ(segment(m, "MSH").text(2), "^~\\&#");
  EXPECT_EQ(segment(m, "NTE").text(3), "50# off #1");
  EXPECT_EQ(m.serialize(), lines({"MSH|^~\\&#|A|B|C|D|20240501||ADT^A04|1|P|2.7", "NTE|1||50\\P\\ off #1"}));
}

TEST(Hl7Parse, SerializeWritesTheMessageBackAsItCame) {
  EXPECT_EQ(parsed(adt_a01()).serialize(), adt_a01());
  EXPECT_EQ(parsed(adt_a01("\n")).serialize("\n"), adt_a01("\n"));
  const std::string bare = lines({"MSH|^~\\&", "PID", "PV1|", "ZZ1|||"});
  EXPECT_EQ(parsed(bare).serialize(), bare);
  EXPECT_EQ(segment(parsed(bare), "PID").field_count(), 0u);
  EXPECT_EQ(segment(parsed(bare), "PV1").field_count(), 1u);
  EXPECT_EQ(segment(parsed(bare), "ZZ1").field_count(), 3u);
}

TEST(Hl7Parse, FindsSegmentsById) {
  Message m = parsed(lines({hl7_samples::kAdtMsh, "OBX|1|ST|A||one", "NTE|1", "OBX|2|ST|B||two"}));
  ASSERT_EQ(m.find_all("OBX").size(), 2u);
  EXPECT_EQ(m.find_all("OBX")[1]->text(5), "two");
  EXPECT_EQ(segment(m, "OBX", 2).text(1), "2");
  EXPECT_EQ(m.find("OBX", 3), nullptr);
  EXPECT_EQ(m.find("PID"), nullptr);
  EXPECT_TRUE(m.find_all("PID").empty());
}

TEST(Hl7Build, BuildsAMessageThatParsesBackTheSame) {
  Message m;
  Segment* msh = m.add_segment("MSH");
  ASSERT_NE(msh, nullptr);
  msh->set_text(3, "MEDGATE");
  msh->set_text({9, 1, 1}, "ADT");
  msh->set_text({9, 1, 2}, "A08");
  msh->set_text(10, "B1");
  msh->set_text(12, "2.5");
  Segment* pid = m.add_segment("PID");
  pid->set_text({5, 1, 1}, "DOE");
  pid->set_text({5, 1, 2}, "JOHN");
  pid->set_text({3, 2, 1}, "X^Y|Z~W&V\\U");
  pid->set_text({3, 2, 4, 2}, "sub");
  pid->set_null(7);
  pid->set_text(11, "line 1\nline 2");
  EXPECT_EQ(m.serialize(),
            lines({"MSH|^~\\&|MEDGATE||||||ADT^A08|B1||2.5",
                   "PID|||~X\\S\\Y\\F\\Z\\R\\W\\T\\V\\E\\U^^^&sub||DOE^JOHN||\"\"||||line 1\\.br\\line 2"}));
  Message back = parsed(m.serialize());
  EXPECT_EQ(back, m);
  EXPECT_EQ(segment(back, "PID").text({3, 2, 1}), "X^Y|Z~W&V\\U");
  EXPECT_TRUE(segment(back, "PID").is_null(7));
  EXPECT_EQ(segment(back, "PID").text(11), "line 1\nline 2");
  EXPECT_TRUE(pid->set_raw(13, "555-0100^PRN~555-0199^ORN").ok());
  EXPECT_FALSE(pid->set_raw(13, "a|b").ok());
  EXPECT_FALSE(pid->set_raw(13, "a\rb").ok());
  EXPECT_FALSE(msh->set_raw(2, "^~\\&").ok());
  EXPECT_EQ(segment(m, "PID").repetition_texts(13, 2), (std::vector<std::string>{"PRN", "ORN"}));
}

TEST(Hl7Build, LineBreaksSurviveDelimitersThatAreDots) {
  // MSH|^~\.&: '.' separates subcomponents, '&' is the v2.7 truncation character.
  Message m = parsed(lines({"MSH|^~\\.&|A|B|C|D|20240501||ADT^A08|B2|P|2.7", "NTE|1"}));
  ASSERT_EQ(m.delimiters().subcomponent, '.');
  Segment* nte = m.find("NTE");
  ASSERT_NE(nte, nullptr);
  nte->set_text(3, "line 1\nline 2 & more.");
  EXPECT_EQ(nte->raw(3), "line 1\\X0A\\line 2 \\P\\ more\\T\\");
  EXPECT_EQ(segment(parsed(m.serialize()), "NTE").text(3), "line 1\nline 2 & more.");
}

TEST(Hl7Build, RefusesSegmentsOutOfPlace) {
  Message m;
  EXPECT_EQ(m.add_segment("PID"), nullptr);  // MSH comes first
  ASSERT_NE(m.add_segment("MSH"), nullptr);
  EXPECT_EQ(m.add_segment("MSH"), nullptr);
  EXPECT_EQ(m.add_segment("pid"), nullptr);
  EXPECT_EQ(m.add_segment("PI"), nullptr);
  EXPECT_EQ(m.add_segment("1AB"), nullptr);
  EXPECT_NE(m.add_segment("ZP1"), nullptr);
  EXPECT_EQ(m.segment_count(), 2u);
}

TEST(Hl7ParseErrors, MessageMustStartWithMsh) {
  Result r = parse_failure(lines({"PID|1", "MSH|^~\\&"}));
  EXPECT_EQ(r.status.code(), StatusCode::invalid_argument);
  EXPECT_EQ(r.status.message(), "the message does not start with MSH but with \"PID|...\"");
  EXPECT_EQ(r.location, Location{});
  EXPECT_EQ(r.code, "100");
  EXPECT_EQ(parse_failure("").status.message(), "the message is empty");
  EXPECT_EQ(parse_failure("\r\n\r\n").status.message(), "the message is empty");
}

TEST(Hl7ParseErrors, BadEncodingCharacters) {
  Result r = parse_failure(lines({"MSH|^~|A|B", "PID|1"}));
  EXPECT_EQ(r.status.message(),
            "segment 1 (MSH) field 2: encoding characters \"^~\" must be 4 characters (component, repetition, escape, "
            "subcomponent), or 5 with the v2.7 truncation character");
  EXPECT_EQ(r.location.field, 2u);
  EXPECT_EQ(r.location.segment_id, "MSH");
  EXPECT_EQ(r.code, "102");
  EXPECT_NE(parse_failure(lines({"MSH|^^\\&|A", "PID|1"})).status.message().find("distinct"), std::string::npos);
  EXPECT_NE(parse_failure(lines({"MSH|^~|&|A", "PID|1"})).status.message().find("\"^~\""), std::string::npos);
  EXPECT_NE(parse_failure(lines({"MSH|^~\\a|A", "PID|1"})).status.message().find("letters"), std::string::npos);
  Result fs = parse_failure(lines({"MSHA^~\\&A", "PID|1"}));
  EXPECT_EQ(fs.location.field, 1u);
  EXPECT_NE(fs.status.message().find("field separator \"A\""), std::string::npos);
  EXPECT_EQ(parse_failure("MSH").location.field, 1u);
}

TEST(Hl7ParseErrors, BadSegmentIdNamesTheSegmentNumber) {
  Message partial;
  Result r = parse_failure(lines({hl7_samples::kAdtMsh, hl7_samples::kAdtEvn, "pid|1||X"}), &partial);
  EXPECT_EQ(r.location.segment_index, 3u);
  EXPECT_EQ(r.location.segment_id, "");
  EXPECT_EQ(r.code, "100");
  EXPECT_EQ(r.status.message().rfind("segment 3: a segment starts with its id", 0), 0u) << r.status.message();
  EXPECT_NE(r.status.message().find("not \"pid|...\""), std::string::npos);
  // What was read before the error stays, for the ACK.
  EXPECT_EQ(partial.segment_count(), 2u);
  EXPECT_EQ(partial.control_id(), "MSG00001");
  EXPECT_EQ(parse_failure(lines({hl7_samples::kAdtMsh, "PIDX|1"})).location.segment_index, 2u);
  EXPECT_EQ(parse_failure(lines({hl7_samples::kAdtMsh, "\x1C"})).location.segment_index, 2u);
}

TEST(Hl7ParseErrors, MissingSegmentSeparator) {
  std::string one_line = std::string(hl7_samples::kAdtMsh) + "PID|1||X";
  Message partial;
  Result r = parse_failure(one_line, &partial);
  EXPECT_EQ(r.status.message(),
            "segment 1 (MSH): missing segment separator: the message is a single line, and segments end with CR "
            "(0x0D)");
  EXPECT_EQ(r.code, "100");
  EXPECT_EQ(partial.control_id(), "MSG00001");  // still enough for an ACK
  EXPECT_EQ(parse_failure(lines({hl7_samples::kAdtMsh})).status.message(),
            "segment 1 (MSH): the message has no segment after MSH");
}

TEST(Hl7ParseErrors, SecondMshIsABatch) {
  Result r = parse_failure(lines({hl7_samples::kAdtMsh, hl7_samples::kAdtEvn, hl7_samples::kAdtMsh}));
  EXPECT_EQ(r.location.segment_index, 3u);
  EXPECT_EQ(r.location.segment_sequence, 2u);
  EXPECT_NE(r.status.message().find("batches are not supported"), std::string::npos);
}

TEST(Hl7ParseErrors, LimitsAreNamed) {
  ParseOptions small;
  small.max_bytes = 64;
  Result r = parse_failure(adt_a01(), nullptr, small);
  EXPECT_EQ(r.status.code(), StatusCode::resource_exhausted);
  EXPECT_EQ(r.status.message(),
            "message of " + std::to_string(adt_a01().size()) + " bytes is larger than the limit of 64 bytes");
  ParseOptions few;
  few.max_fields = 30;
  Result f = parse_failure(adt_a01(), nullptr, few);
  EXPECT_EQ(f.status.code(), StatusCode::resource_exhausted);
  EXPECT_EQ(f.location.segment_id, "PID");
  EXPECT_NE(f.status.message().find("more than 30 fields"), std::string::npos);
}

TEST(Hl7Check, HeaderFieldsRequiredByHl7) {
  Message m = parsed(lines({"MSH|^~\\&|A|B|C|D|20240501||ADT^A01||P|2.5", "EVN|A01"}));
  Result r = check_header(m);
  EXPECT_EQ(r.code, "101");
  EXPECT_EQ(r.location, (Location{1, "MSH", 1, 10, 0, 0, 0}));
  EXPECT_EQ(r.status.message(), "segment 1 (MSH) field 10: required field MSH-10 (message control id) is empty");
  Message no_trigger = parsed(lines({"MSH|^~\\&|A|B|C|D|20240501||ADT|1|P|2.5", "EVN|A01"}));
  EXPECT_EQ(check_header(no_trigger).location, (Location{1, "MSH", 1, 9, 1, 2, 0}));
  EXPECT_TRUE(check_header(parsed(lines({"MSH|^~\\&|A|B|C|D|20240501||ACK|1|P|2.3", "MSA|AA|9"}))).ok());
  EXPECT_EQ(check_header(Message()).code, "100");
}

TEST(Hl7Location, ReadsLikeAPlace) {
  EXPECT_EQ((Location{3, "PID", 1, 3, 2, 4, 1}).to_string(), "segment 3 (PID) field 3 repetition 2 component 4");
  EXPECT_EQ((Location{5, "OBX", 2, 5, 1, 1, 2}).to_string(), "segment 5 (OBX) field 5 component 1 subcomponent 2");
  EXPECT_EQ((Location{2, "", 0, 0, 0, 0, 0}).to_string(), "segment 2");
  EXPECT_EQ(Location{}.to_string(), "message");
}

}  // namespace
