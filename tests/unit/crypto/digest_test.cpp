#include "crypto/digest.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace medgate::crypto {
namespace {

// The examples of FIPS 180-2 (appendix B) and the empty string.
TEST(Sha256, PublishedExamples) {
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(to_hex(sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Every byte value, against printf's lower-case hex.
TEST(Hex, EveryByteValueIsTwoLowerCaseDigits) {
  std::vector<std::uint8_t> bytes(256);
  std::string expected;
  for (int b = 0; b < 256; ++b) {
    bytes[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(b);
    char two[3];
    std::snprintf(two, sizeof two, "%02x", b);
    expected += two;
  }
  EXPECT_EQ(to_hex(bytes.data(), bytes.size()), expected);
  EXPECT_EQ(to_hex(bytes.data(), 0), "");
}

TEST(Sha256, HexOfAPrefix) { EXPECT_EQ(to_hex(sha256("abc"), 4), "ba7816bf"); }

}  // namespace
}  // namespace medgate::crypto
