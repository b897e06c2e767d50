// MSH-18 character sets: GB 18030 bytes arrive as UTF-8, invalid bytes and
// unknown character sets are refused with the place named.
#include <gtest/gtest.h>

#include "hl7_samples.h"
#include "medgate/sdk/hl7.h"

namespace {
using namespace medgate::sdk;
using namespace medgate::sdk::hl7;
using hl7_samples::lines;
using hl7_samples::parsed;
using hl7_samples::segment;

// GB 18030 bytes of the synthetic names used below.
const std::string kZhangSanGb = "\xD5\xC5\xC8\xFD";                     // 张三
const std::string kTestPatientGb = "\xB2\xE2\xCA\xD4\xBB\xBC\xD5\xDF";  // 测试患者
const std::string kHospitalGb = "\xD2\xBD\xD4\xBA";                     // 医院
const std::string kPipeTrailGb = "\x82\x7C";                            // 倈: its second byte is '|'

std::string msh(std::string_view facility, std::string_view charset, std::string_view version = "2.4") {
  return "MSH|^~\\&|HIS|" + std::string(facility) + "|MEDGATE|GW|20240501083000||ADT^A01|GB001|P|" +
         std::string(version) + "||||||" + std::string(charset);
}

std::string gb_adt(std::string_view charset = "GB 18030-2000") {
  return lines({msh(kHospitalGb, charset), "EVN|A01",
                "PID|1||MRN0002^^^TESTHOSP^MR||" + kTestPatientGb + "^^^^^^L~" + kZhangSanGb + "^^^^^^A||19800202|F"});
}

TEST(Hl7Charset, NamesOfMsh18) {
  struct Case {
    const char* value;
    Charset expected;
  };
  const Case cases[] = {{"", Charset::utf8},
                        {"ASCII", Charset::ascii},
                        {"UNICODE UTF-8", Charset::utf8},
                        {"unicode utf-8", Charset::utf8},
                        {"UNICODE", Charset::utf8},
                        {"UTF-8", Charset::utf8},
                        {" UTF8 ", Charset::utf8},
                        {"GB 18030-2000", Charset::gb18030},
                        {"GB 18030", Charset::gb18030},
                        {"GB18030", Charset::gb18030},
                        {"GB2312", Charset::gb18030},
                        {"gbk", Charset::gb18030}};
  for (const Case& c : cases) {
    Charset got = Charset::ascii;
    EXPECT_TRUE(charset_from_msh18(c.value, got).ok()) << c.value;
    EXPECT_EQ(got, c.expected) << c.value;
  }
  Charset got;
  EXPECT_TRUE(charset_from_msh18("", got, Charset::gb18030).ok());
  EXPECT_EQ(got, Charset::gb18030);
  Status unknown = charset_from_msh18("ISO IR87", got);
  EXPECT_EQ(unknown.message(),
            "unsupported character set \"ISO IR87\" (supported: ASCII, UNICODE UTF-8, GB 18030-2000)");
  EXPECT_FALSE(charset_from_msh18("UNICODE UTF-16", got).ok());
  EXPECT_FALSE(charset_from_msh18("GB18030X", got).ok());
  EXPECT_EQ(charset_name(Charset::gb18030), "GB 18030-2000");
}

TEST(Hl7Charset, Gb18030MessageArrivesAsUtf8) {
  Message m = parsed(gb_adt());
  EXPECT_EQ(m.charset(), Charset::gb18030);
  EXPECT_EQ(m.charset_field(), "GB 18030-2000");
  EXPECT_EQ(m.sending_facility(), "医院");
  const Segment& pid = segment(m, "PID");
  EXPECT_EQ(pid.repetition_texts(5), (std::vector<std::string>{"测试患者", "张三"}));
  EXPECT_EQ(pid.text({5, 2, 7}), "A");
  // encode() gives back the bytes that came in.
  std::string wire;
  ASSERT_TRUE(m.encode(wire).ok());
  EXPECT_EQ(wire, gb_adt());
  for (const char* name : {"GB18030", "GB 18030", "GB2312"})
    EXPECT_EQ(segment(parsed(gb_adt(name)), "PID").text(5), "测试患者") << name;
}

TEST(Hl7Charset, Gb18030TrailByteThatIsTheFieldSeparator) {
  // 倈 is 82 7C in GB 18030: split as bytes, MSH-4 would end inside it.
  const std::string facility = kPipeTrailGb + kHospitalGb;
  Message m = parsed(lines({msh(facility, "GB18030"), "PID|1||X||" + kZhangSanGb}));
  EXPECT_EQ(m.charset(), Charset::gb18030);
  EXPECT_EQ(m.sending_facility(), "倈医院");
  EXPECT_EQ(m.receiving_application(), "MEDGATE");
  EXPECT_EQ(m.control_id(), "GB001");
  EXPECT_EQ(segment(m, "PID").text(5), "张三");
}

TEST(Hl7Charset, BytesValidInUtf8TooAreReadAsTheGb18030TheyDeclare) {
  // EF BB BF 7C is 锘縷 in GB 18030; EF BB BF alone is valid UTF-8. Read as
  // UTF-8, MSH-4 would end at the 7C and MSH-18 would be empty.
  Message m = parsed(lines({"MSH|^~\\&|HIS|\xEF\xBB\xBF|H|GW|G|20240501||ADT^A01|C1|P|2.4||||||GB18030", "PID|1"}));
  EXPECT_EQ(m.charset(), Charset::gb18030);
  EXPECT_EQ(m.sending_facility(), "锘縷H");
  EXPECT_EQ(m.receiving_application(), "GW");
  EXPECT_EQ(m.control_id(), "C1");
}

TEST(Hl7Charset, KnownAmbiguityUtf8ThatNamesGb18030WhenReadAsGb18030) {
  // UTF-8 中 (E4 B8 AD) then '|': read as GB 18030, AD 7C is one character,
  // so "GB18030" in MSH-19 lands in MSH-18, and every byte is valid GB 18030.
  // Documented in docs/plugins/hl7.md ("Limits").
  Message m = parsed(lines({"MSH|^~\\&|HIS|中|GW|G|20240501||ADT^A01|C9|P|2.5|||||||GB18030", "PID|1"}));
  EXPECT_EQ(m.charset(), Charset::gb18030);
  EXPECT_EQ(m.charset_field(), "GB18030");
}

TEST(Hl7Charset, Msh18IsReadUnescaped) {
  // '-' is the subcomponent separator here, so "GB 18030-2000" is escaped.
  Message m = parsed(lines(
      {"MSH|^~\\-&|HIS|\x82\x7C|GW|G|20240501||ADT^A01|C2|P|2.7||||||GB 18030\\T\\2000", "PID|1||X||" + kZhangSanGb}));
  EXPECT_EQ(m.charset(), Charset::gb18030);
  EXPECT_EQ(m.charset_field(), "GB 18030-2000");
  EXPECT_EQ(m.sending_facility(), "倈");
  EXPECT_EQ(segment(m, "PID").text(5), "张三");
  Message null_charset = parsed(lines({"MSH|^~\\&|HIS|H|GW|G|20240501||ADT^A01|C3|P|2.5||||||\"\"", "PID|1"}));
  EXPECT_EQ(null_charset.charset(), Charset::utf8);
}

TEST(Hl7Charset, HexEscapesAreReadInTheMessagesCharset) {
  Message m = parsed(lines({msh("H", "GB18030"), "NTE|1||\\XD5C5C8FD\\"}));
  EXPECT_EQ(segment(m, "NTE").text(3), "张三");
}

TEST(Hl7Charset, InvalidGb18030BytesAreRefusedWithTheirPlace) {
  // PID-5 component 2 holds D5 FF: D5 starts a character, FF cannot follow it.
  const std::string head = lines({msh(kHospitalGb, "GB18030"), "EVN|A01"});
  const std::string bytes = head + "PID|1||MRN0003||" + kZhangSanGb +
                            "^\xD5\xFF"
                            "A|19800202\r";
  Message partial;
  Result r = parse(bytes, partial);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code, "102");
  EXPECT_EQ(r.location, (Location{3, "PID", 1, 5, 1, 2, 1}));
  const std::size_t offset = bytes.find("\xD5\xFF");
  EXPECT_EQ(r.status.message(),
            "segment 3 (PID) field 5 component 2: bytes not valid in GB 18030-2000 at byte offset " +
                std::to_string(offset) + " (D5 FF)");
  // The segments before are kept, for the ACK.
  ASSERT_EQ(partial.segment_count(), 2u);
  EXPECT_EQ(partial.control_id(), "GB001");
  EXPECT_EQ(partial.sending_facility(), "医院");
  // A character cut off at the end of the message.
  Result cut = parse(head + "NTE|1||\x81\x30", partial);
  EXPECT_EQ(cut.location, (Location{3, "NTE", 1, 3, 1, 1, 1}));
  EXPECT_NE(cut.status.message().find("(81 30)"), std::string::npos);
}

TEST(Hl7Charset, InvalidUtf8AndNonAsciiInAnAsciiMessageAreRefused) {
  Message m;
  Result r = parse(lines({msh("H", "UNICODE UTF-8"), "PID|1||X||" + kZhangSanGb}), m);
  EXPECT_EQ(r.location, (Location{2, "PID", 1, 5, 1, 1, 1}));
  EXPECT_NE(r.status.message().find("bytes not valid in UNICODE UTF-8"), std::string::npos);
  // An empty MSH-18 reads UTF-8 by default...
  EXPECT_EQ(segment(parsed(lines({msh("H", ""), "PID|1||X||测试患者"})), "PID").text(5), "测试患者");
  // ...or what the options say.
  ParseOptions strict;
  strict.default_charset = Charset::ascii;
  Result ascii = parse(lines({msh("H", ""), "PID|1||X||测试患者"}), m, strict);
  EXPECT_EQ(ascii.location.segment_id, "PID");
  EXPECT_NE(ascii.status.message().find("bytes not valid in ASCII"), std::string::npos);
  ParseOptions his;
  his.default_charset = Charset::gb18030;
  EXPECT_EQ(segment(parsed(lines({msh("H", ""), "PID|1||X||" + kZhangSanGb}), his), "PID").text(5), "张三");
  // A GB 18030 message that does not say so is not UTF-8.
  EXPECT_FALSE(parse(lines({msh("H", ""), "PID|1||X||" + kZhangSanGb}), m).ok());
}

TEST(Hl7Charset, UnknownCharsetIsNamedAndTheHeaderStillRead) {
  Message partial;
  Result r = parse(lines({msh("H" + kHospitalGb, "ISO IR87"), "PID|1||X"}), partial);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.code, "103");
  EXPECT_EQ(r.location, (Location{1, "MSH", 1, 18, 0, 0, 0}));
  EXPECT_EQ(r.status.message(),
            "segment 1 (MSH) field 18: unsupported character set \"ISO IR87\" (supported: ASCII, UNICODE UTF-8, GB "
            "18030-2000)");
  // The MSH, bytes above 0x7F as '?', so that an ACK can answer.
  ASSERT_EQ(partial.segment_count(), 1u);
  EXPECT_EQ(partial.control_id(), "GB001");
  EXPECT_EQ(partial.sending_facility(), "H????");
  EXPECT_EQ(partial.charset(), Charset::ascii);
}

// The UTF-8 check reads ASCII 8 bytes at a time: a bad byte, or a valid
// multi-byte character, at every offset of texts up to 40 bytes must be found
// exactly where it is.
TEST(Hl7Charset, Utf8ErrorsAreFoundAtEveryOffset) {
  std::string out;
  for (std::size_t len = 1; len <= 40; ++len) {
    for (std::size_t pos = 0; pos < len; ++pos) {
      std::string text(len, 'a');
      text[pos] = '\x80';  // a continuation byte with no lead byte
      Status bad = to_utf8(text, Charset::utf8, out);
      ASSERT_FALSE(bad.ok()) << "length " << len << ", position " << pos;
      EXPECT_NE(bad.message().find("at byte offset " + std::to_string(pos) + " "), std::string::npos)
          << bad.message() << " (length " << len << ")";
      std::string good(len, 'a');
      good.insert(pos, "测");  // three bytes, valid
      ASSERT_TRUE(to_utf8(good, Charset::utf8, out).ok()) << "length " << len << ", position " << pos;
      EXPECT_EQ(out, good);
      good.resize(good.size() - (len - pos) - 1);  // cut inside the character
      Status cut = to_utf8(good, Charset::utf8, out);
      ASSERT_FALSE(cut.ok());
      EXPECT_NE(cut.message().find("at byte offset " + std::to_string(pos) + " "), std::string::npos) << cut.message();
    }
  }
}

TEST(Hl7Charset, ConversionFunctions) {
  std::string out;
  ASSERT_TRUE(to_utf8(kTestPatientGb, Charset::gb18030, out).ok());
  EXPECT_EQ(out, "测试患者");
  ASSERT_TRUE(from_utf8("测试患者", Charset::gb18030, out).ok());
  EXPECT_EQ(out, kTestPatientGb);
  Status bad = to_utf8("ab\x80", Charset::gb18030, out);
  EXPECT_EQ(bad.message(), "bytes not valid in GB 18030-2000 at byte offset 2 (80)");
  EXPECT_TRUE(out.empty());
  EXPECT_FALSE(from_utf8("张", Charset::ascii, out).ok());
  EXPECT_FALSE(from_utf8("\xED\xA0\x80", Charset::gb18030, out).ok());  // a UTF-16 surrogate is not UTF-8
  EXPECT_FALSE(to_utf8("\xC0\xAF", Charset::utf8, out).ok());           // overlong
  EXPECT_FALSE(to_utf8("\xF4\x90\x80\x80", Charset::utf8, out).ok());   // above U+10FFFF
  EXPECT_TRUE(to_utf8("\xF0\x9F\x98\x80", Charset::utf8, out).ok());
}

}  // namespace
