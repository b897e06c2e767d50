// The signing helpers against published HMAC-SHA256 vectors (RFC 4231) and
// the documented signature format.
#include "request_signer.h"

#include <gtest/gtest.h>

namespace {
using namespace medgate::http_adapter;

TEST(RequestSigner, HmacMatchesRfc4231TestCase1) {
  EXPECT_EQ(to_hex(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(RequestSigner, HmacMatchesRfc4231TestCase2) {
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(RequestSigner, HmacMatchesRfc4231TestCase6LongKey) {
  // A key longer than the block size is hashed first.
  EXPECT_EQ(to_hex(hmac_sha256(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(RequestSigner, SignatureCoversTimestampDotBody) {
  EXPECT_EQ(sign_request("Jefe", 1700000000, "{}"), "v1=" + to_hex(hmac_sha256("Jefe", "1700000000.{}")));
  EXPECT_NE(sign_request("Jefe", 1700000000, "{}"), sign_request("Jefe", 1700000001, "{}"));
  EXPECT_NE(sign_request("Jefe", 1700000000, "{}"), sign_request("Jefe", 1700000000, "{ }"));
}

TEST(RequestSigner, BatchIdIsStableAndDependsOnKeysAndOrder) {
  medgate::sdk::Delivery a{"k1", "p", "{\"x\":1}"}, b{"k2", "p", "{}"}, a2{"k1", "q", "{\"x\":2}"};
  std::string id = batch_id({&a, &b});
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id, batch_id({&a2, &b}));  // same keys, same id
  EXPECT_NE(id, batch_id({&b, &a}));
  EXPECT_NE(id, batch_id({&a}));
  EXPECT_EQ(id, to_hex(sha256("k1\nk2\n")).substr(0, 32));
}

}  // namespace
