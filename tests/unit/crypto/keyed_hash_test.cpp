#include "crypto/keyed_hash.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crypto/digest.h"

namespace medgate::crypto {
namespace {

// The token checked against OpenSSL's one-shot HMAC() (EVP), a separate code
// path from KeyedHasher's precomputed pad states.
std::string reference(const std::string& key, const std::string& domain, const std::string& value,
                      std::size_t hex_chars = 32) {
  std::string msg = domain + '\x1f' + value;
  unsigned char out[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
       out, &len);
  return to_hex(out, len).substr(0, hex_chars);
}

TEST(KeyedHasher, MatchesHmacSha256OfDomainSeparatorValue) {
  KeyedHasher h("k-0123456789abcdef0123456789abcdef");
  for (const std::string& v : std::vector<std::string>{"", "110105194912310021", "13800138000", std::string(300, 'x')})
    EXPECT_EQ(h.token("subject.resident_id", v), reference("k-0123456789abcdef0123456789abcdef", "subject.resident_id", v));
  EXPECT_EQ(h.token("d", "v", 64), reference("k-0123456789abcdef0123456789abcdef", "d", "v", 64));
  EXPECT_EQ(h.token("d", "v", 8).size(), 8u);
}

TEST(KeyedHasher, KnownAnswer) {
  // Computed independently with Python: hmac.new(b"Jefe",
  // b"what do ya want\x1f for nothing?", hashlib.sha256).hexdigest()
  KeyedHasher h("Jefe");
  EXPECT_EQ(h.token("what do ya want", " for nothing?", 64),
            "139c7fccf4d0ecb2e9a7a5ab3e73b752b1c9c844fe78647fef2c3d916cec4fe6");
}

TEST(KeyedHasher, KnownAnswerWithAKeyLongerThanABlock) {
  // RFC 4231 test case 6's key (131 bytes, hashed first), its message split
  // at the separator. Python: hmac.new(b"\xaa" * 131, b"Test Using Larger
  // Than Block-Size Key\x1f - Hash Key First", hashlib.sha256).hexdigest()
  KeyedHasher h(std::string(131, '\xaa'));
  EXPECT_EQ(h.token("Test Using Larger Than Block-Size Key", " - Hash Key First", 64),
            "4c2c26d514fc2de2f75cd8ad18f7d0452c427c3d0f0eb92926b58049c0de2f7d");
}

TEST(KeyedHasher, MatchesHmacForEveryKeyAndMessageLengthAroundTheBlockSize) {
  // Keys up to and past the 64-byte block (hashed first from 65 bytes on),
  // messages whose padding does or does not fit in their last block.
  std::string key, value;
  for (std::size_t k = 0; k <= 140; ++k) {
    key.assign(k, '\0');
    for (std::size_t i = 0; i < k; ++i) key[i] = static_cast<char>(i * 37 + k);
    KeyedHasher h(key);
    for (std::size_t v : {0, 1, 40, 41, 47, 48, 49, 55, 56, 62, 63, 64, 100, 111, 112, 113, 200}) {
      value.assign(v, '\0');
      for (std::size_t i = 0; i < v; ++i) value[i] = static_cast<char>(i * 11 + v + k);
      ASSERT_EQ(h.token("subject.id", value, 64), reference(key, "subject.id", value, 64)) << k << " " << v;
    }
  }
}

TEST(KeyedHasher, DomainsSeparateTokens) {
  KeyedHasher h("key");
  EXPECT_NE(h.token("subject.phone", "13800138000"), h.token("subject.mrn", "13800138000"));
}

TEST(KeyedHasher, InterleavedHashersKeepTheirKeys) {
  // Hashers used in turn, and new ones at recycled addresses, each answer
  // with their own key (no state is shared between hashers).
  std::vector<std::unique_ptr<KeyedHasher>> hashers;
  for (int i = 0; i < 7; ++i) hashers.push_back(std::make_unique<KeyedHasher>("key-" + std::to_string(i)));
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 7; ++i)
      ASSERT_EQ(hashers[i]->token("d", "v" + std::to_string(round)),
                reference("key-" + std::to_string(i), "d", "v" + std::to_string(round)));
  for (int i = 0; i < 20; ++i) {
    hashers[0] = std::make_unique<KeyedHasher>("fresh-" + std::to_string(i));
    ASSERT_EQ(hashers[0]->token("d", "v"), reference("fresh-" + std::to_string(i), "d", "v"));
  }
}

TEST(KeyedHasher, ThreadsGetTheSameTokens) {
  KeyedHasher a("key-a"), b("key-b");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        std::string v = std::to_string(t * 1000 + i);
        if (a.token("d", v) != reference("key-a", "d", v)) ++mismatches[t];
        if (b.token("d", v) != reference("key-b", "d", v)) ++mismatches[t];
      }
    });
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace medgate::crypto
