// JSON serialization: every byte that must be escaped is escaped wherever it
// sits in a string (the writer tests 16, 8 or 4 bytes at a time with
// overlapping blocks, so positions around block boundaries matter), and what
// it writes parses back to the same Value.
#include <gtest/gtest.h>

#include <string>

#include "medgate/sdk/json.h"

using medgate::sdk::append_json_string;
using medgate::sdk::parse_json;
using medgate::sdk::to_json;
using medgate::sdk::Value;

namespace {
// A plain reference escaper, byte by byte.
std::string reference_escape(const std::string& s) {
  static const char* hex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}
}  // namespace

TEST(JsonString, EscapesEverySpecialByteAtEveryOffset) {
  const std::string specials = std::string("\"\\\n\r\t\b\f\x01\x1f", 9) + std::string(1, '\0');
  // Plain ASCII and high bytes (UTF-8) around it.
  for (char filler : {'a', '\xe4'}) {
    for (char special : specials) {
      for (std::size_t len = 1; len <= 40; ++len) {
        for (std::size_t pos = 0; pos < len; ++pos) {
          std::string s(len, filler);
          s[pos] = special;
          std::string out;
          append_json_string(s, out);
          ASSERT_EQ(out, reference_escape(s)) << "byte " << int(static_cast<unsigned char>(special)) << " at " << pos
                                              << " of " << len;
          // A second one further on: the first must not hide it.
          if (pos + 3 < len) {
            s[len - 1] = special;
            out.clear();
            append_json_string(s, out);
            ASSERT_EQ(out, reference_escape(s)) << "bytes at " << pos << " and " << len - 1 << " of " << len;
          }
        }
      }
    }
  }
}

TEST(JsonString, CleanStringsOfEveryLengthAreCopiedWhole) {
  for (char filler : {'a', '\xe4', '\x7f', ' '}) {
    for (std::size_t len = 0; len <= 70; ++len) {
      const std::string s(len, filler);
      std::string out = "x";
      append_json_string(s, out);
      ASSERT_EQ(out, "x\"" + s + "\"") << "length " << len;
    }
  }
}

TEST(JsonString, KeepsUtf8AndHighBytesAsIs) {
  const std::string text = "患者[NAME]，联系电话[PHONE]。 \x7f ~ end";
  std::string out;
  append_json_string(text, out);
  EXPECT_EQ(out, "\"" + text + "\"");
}

TEST(JsonString, AllBytesRoundTripThroughTheParser) {
  std::string s;
  for (int c = 1; c < 0x80; ++c) s.push_back(static_cast<char>(c));
  s += "中文";
  Value back;
  ASSERT_TRUE(parse_json(to_json(Value(s)), back).ok());
  ASSERT_TRUE(back.is_string());
  EXPECT_EQ(back.as_string(), s);
}

TEST(JsonWrite, RecordRoundTrips) {
  Value v = Value::object();
  v["a"] = "x\"y";
  v["n"] = std::int64_t{-42};
  v["f"] = 4185.58;
  v["list"] = Value(Value::Array{Value(true), Value(nullptr), Value("中")});
  v["obj"]["inner"] = "line1\nline2";
  const std::string text = to_json(v);
  EXPECT_EQ(text, R"({"a":"x\"y","n":-42,"f":4185.58,"list":[true,null,"中"],"obj":{"inner":"line1\nline2"}})");
  Value back;
  ASSERT_TRUE(parse_json(text, back).ok());
  EXPECT_EQ(back, v);
}

// The writer makes room for a string as it is and grows only once something
// needs escaping: a string of nothing but control bytes is six times longer
// written, and must still come out whole after whatever `out` held.
TEST(JsonString, GrowsForWorstCaseEscapingAfterExistingText) {
  for (std::size_t len : {1u, 7u, 8u, 9u, 300u, 5000u}) {
    std::string s(len, '\x01');
    s[len / 2] = '"';
    std::string out = "prefix:";
    append_json_string(s, out);
    ASSERT_EQ(out, "prefix:" + reference_escape(s)) << len << " bytes";
  }
}

// A record far larger than the writer's first buffer, with a long string
// needing escapes at its end, parses back to the same Value.
TEST(JsonWrite, LargeRecordOutgrowsTheFirstBuffer) {
  Value v = Value::object();
  for (int i = 0; i < 200; ++i) v["field_" + std::to_string(i)] = "值" + std::to_string(i * 7919);
  v["numbers"] = Value(Value::Array{Value(std::int64_t{-9007199254740993}), Value(3.0), Value(-0.0), Value(1e300)});
  v["tail"] = std::string(3000, '\n') + "end";
  const std::string text = to_json(v);
  Value back;
  ASSERT_TRUE(parse_json(text, back).ok());
  EXPECT_EQ(back, v);
  EXPECT_NE(text.find(R"("numbers":[-9007199254740993,3.0,-0.0,1e+300])"), std::string::npos) << text.substr(0, 200);
}

// SDK 1.6: pieces written through one appender are the pieces' own JSON, in
// order, after what the string held; the string is trimmed when it goes.
TEST(JsonAppender, PiecesAreWrittenInOrderAfterWhatTheStringHeld) {
  Value record = Value::object();
  record["name"] = Value("王小明 \"quoted\"\n");
  record["visits"] = Value(std::int64_t{3});
  std::string out = "prefix:";
  {
    medgate::sdk::JsonAppender json(out);
    json.raw('{');
    json.raw("\"kind\":");
    json.string("visit\t1");
    json.raw(',');
    json.raw("\"record\":");
    json.value(record);
    json.raw('}');
  }
  std::string expected = "prefix:{\"kind\":";
  append_json_string("visit\t1", expected);
  expected += ",\"record\":" + to_json(record) + "}";
  EXPECT_EQ(out, expected);
  EXPECT_EQ(out.size(), expected.size());  // no scratch left behind
}

TEST(JsonAppender, ManySmallPiecesAndALargeOneOutgrowTheSlack) {
  std::string out;
  std::string expected;
  {
    medgate::sdk::JsonAppender json(out);
    for (int i = 0; i < 5000; ++i) {
      json.raw(i % 2 ? ',' : ';');
      expected += i % 2 ? ',' : ';';
      json.raw("ab");
      expected += "ab";
    }
    const std::string big(100000, 'x');
    json.string(big);
    append_json_string(big, expected);
  }
  EXPECT_EQ(out, expected);
}

TEST(JsonAppender, NothingWrittenLeavesTheStringAsItWas) {
  std::string out = "kept";
  { medgate::sdk::JsonAppender json(out); }
  EXPECT_EQ(out, "kept");
}

TEST(JsonAppender, EmptyViewsWithoutDataAreNothingToWrite) {
  std::string out;
  {
    medgate::sdk::JsonAppender json(out);
    json.raw(std::string_view());
    json.string(std::string_view());
  }
  EXPECT_EQ(out, "\"\"");
  std::string direct;
  append_json_string(std::string_view(), direct);
  EXPECT_EQ(direct, "\"\"");
}
