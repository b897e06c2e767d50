// Value's member look-up: keys are compared in words, not byte by byte, so a
// difference at any position of any length must still tell two keys apart.
#include <gtest/gtest.h>

#include <string>

#include "medgate/sdk/value.h"

using medgate::sdk::Value;

TEST(ValueFind, KeysDifferingInOneByteAreToldApartAtEveryPositionAndLength) {
  for (std::size_t len = 1; len <= 40; ++len) {
    for (std::size_t pos = 0; pos < len; ++pos) {
      const std::string a(len, 'k');
      std::string b = a;
      b[pos] = 'q';
      std::string absent = a;
      absent[pos] = 'z';
      Value obj;
      obj[a] = Value(std::int64_t{1});
      obj[b] = Value(std::int64_t{2});
      ASSERT_EQ(obj.as_object().size(), 2u) << "length " << len << ", position " << pos;
      ASSERT_NE(obj.find(a), nullptr);
      ASSERT_NE(obj.find(b), nullptr);
      EXPECT_EQ(obj.find(a)->as_int(), 1) << "length " << len << ", position " << pos;
      EXPECT_EQ(obj.find(b)->as_int(), 2) << "length " << len << ", position " << pos;
      EXPECT_EQ(obj.find(absent), nullptr) << "length " << len << ", position " << pos;
      EXPECT_EQ(obj.find(a.substr(1)), nullptr) << "a shorter key, length " << len;
    }
  }
}

TEST(ValueFind, TheEmptyKeyIsAKeyLikeAnyOther) {
  Value obj;
  obj["a"] = Value(std::int64_t{1});
  EXPECT_EQ(obj.find(""), nullptr);
  obj[""] = Value(std::int64_t{2});
  ASSERT_NE(obj.find(""), nullptr);
  EXPECT_EQ(obj.find("")->as_int(), 2);
  EXPECT_EQ(obj.find("a")->as_int(), 1);
}
