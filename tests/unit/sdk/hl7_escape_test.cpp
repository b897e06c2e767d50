// HL7 escape sequences in both directions, with default and custom delimiters.
#include <gtest/gtest.h>

#include "medgate/sdk/hl7.h"

namespace {
using namespace medgate::sdk::hl7;

Delimiters custom() {  // MSH#$*@%
  Delimiters d;
  d.field = '#';
  d.component = '$';
  d.repetition = '*';
  d.escape = '@';
  d.subcomponent = '%';
  return d;
}

TEST(Hl7Escape, DelimitersAndTheEscapeCharacter) {
  EXPECT_EQ(escape("a|b^c~d\\e&f"), "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f");
  EXPECT_EQ(escape("plain text 测试"), "plain text 测试");
  EXPECT_EQ(escape(""), "");
  EXPECT_EQ(escape("a#b$c*d@e%f|g", custom()), "a@F@b@S@c@R@d@E@e@T@f|g");
}

TEST(Hl7Escape, LineBreaksAndControlCharacters) {
  EXPECT_EQ(escape("one\ntwo"), "one\\.br\\two");
  EXPECT_EQ(escape("one\r\ntwo"), "one\\X0D\\\\.br\\two");
  EXPECT_EQ(escape(std::string("a\x0B"
                               "b\x1C"
                               "c\td\x7F",
                               8)),
            "a\\X0B\\b\\X1C\\c\td\\X7F\\");
  EXPECT_EQ(escape(std::string("\0", 1)), "\\X00\\");
}

TEST(Hl7Escape, LineBreakIsHexWhenTheDotIsADelimiter) {
  Delimiters dot;  // MSH|^~\.&
  dot.subcomponent = '.';
  dot.truncation = '&';
  EXPECT_EQ(escape("a\nb.c", dot), "a\\X0A\\b\\T\\c");
  EXPECT_EQ(unescape(escape("a\nb.c&d", dot), dot), "a\nb.c&d");
}

TEST(Hl7Escape, TextThatLooksLikeTheNullIsNotWrittenAsTheNull) {
  EXPECT_EQ(escape("\"\""), "\\X2222\\");
  EXPECT_EQ(unescape("\\X2222\\"), "\"\"");
  EXPECT_EQ(escape("\"\"x"), "\"\"x");
}

TEST(Hl7Escape, TruncationCharacterOnlyWhenDeclared) {
  Delimiters v27;
  v27.truncation = '#';
  EXPECT_EQ(escape("#1", v27), "\\P\\1");
  EXPECT_EQ(unescape("\\P\\1", v27), "#1");
  EXPECT_EQ(escape("#1"), "#1");
  EXPECT_EQ(unescape("\\P\\1"), "\\P\\1");  // no truncation character: not a known escape
}

TEST(Hl7Unescape, KnownSequences) {
  EXPECT_EQ(unescape("a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f"), "a|b^c~d\\e&f");
  EXPECT_EQ(unescape("a@F@b@S@c@R@d@E@e@T@f\\F\\", custom()), "a#b$c*d@e%f\\F\\");
  EXPECT_EQ(unescape("one\\.br\\two\\.BR\\three"), "one\ntwo\nthree");
  EXPECT_EQ(unescape("\\H\\bold\\N\\ normal"), "bold normal");
}

TEST(Hl7Unescape, HexData) {
  EXPECT_EQ(unescape("\\X48656C6C6F\\ world"), "Hello world");
  EXPECT_EQ(unescape("\\x4142\\"), "\\x4142\\");  // lower-case x is not the hex escape
  EXPECT_EQ(unescape("\\X4a4B\\"), "JK");         // hex digits in either case
  EXPECT_EQ(unescape("\\XE5BC\\\\XA0\\"), "张");  // one character across two sequences
  EXPECT_EQ(unescape("\\XFF\\ x"), "\\XFF\\ x");  // not UTF-8: kept as written
  EXPECT_EQ(unescape("\\X4\\"), "\\X4\\");        // odd number of digits
  EXPECT_EQ(unescape("\\XZZ\\"), "\\XZZ\\");
  EXPECT_EQ(unescape("\\XD5C5C8FD\\", {}, Charset::gb18030), "张三");  // bytes of the message's charset
  EXPECT_EQ(unescape("\\XD5C5C8FD\\", {}, Charset::utf8), "\\XD5C5C8FD\\");
}

TEST(Hl7Unescape, UnknownAndUnterminatedSequencesAreKept) {
  EXPECT_EQ(unescape("\\Zlocal\\ \\C2842\\ \\M2442\\ \\.sp2\\"), "\\Zlocal\\ \\C2842\\ \\M2442\\ \\.sp2\\");
  EXPECT_EQ(unescape("tail \\F"), "tail \\F");
  EXPECT_EQ(unescape("\\"), "\\");
  EXPECT_EQ(unescape("\\\\F\\"), "\\\\F\\");
  EXPECT_EQ(unescape("a\\F\\b\\"), "a|b\\");
}

TEST(Hl7Escape, UnescapeUndoesEscapeForAnyText) {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) every_byte += static_cast<char>(c);
  const std::string texts[] = {"",
                               "\"\"",
                               "\\",
                               "\\E\\",
                               "\\X41\\",
                               "|^~\\&#",
                               "line 1\nline 2\r\nline 3\r",
                               "测试患者 DOE^JOHN | note",
                               every_byte,
                               "\\.br\\ \\H\\"};
  Delimiters v27;
  v27.truncation = '#';
  Delimiters dot;
  dot.subcomponent = '.';
  for (const std::string& t : texts) {
    EXPECT_EQ(unescape(escape(t, dot), dot), t) << t;
    EXPECT_EQ(unescape(escape(t)), t) << t;
    EXPECT_EQ(unescape(escape(t, custom()), custom()), t) << t;
    EXPECT_EQ(unescape(escape(t, v27), v27), t) << t;
    EXPECT_EQ(unescape(escape(t), {}, Charset::gb18030), t) << t;
  }
}

TEST(Hl7Escape, EscapeRedoesCanonicalEscapedText) {
  const std::string raws[] = {"a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f", "one\\.br\\two", "\\X0D\\", "plain", "\\X2222\\"};
  for (const std::string& raw : raws) EXPECT_EQ(escape(unescape(raw)), raw) << raw;
}

}  // namespace
