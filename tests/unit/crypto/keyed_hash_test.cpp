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

// The token checked against OpenSSL's one-shot HMAC(), a separate code path
// from the cached, re-initialised contexts KeyedHasher uses.
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

TEST(KeyedHasher, DomainsSeparateTokens) {
  KeyedHasher h("key");
  EXPECT_NE(h.token("subject.phone", "13800138000"), h.token("subject.mrn", "13800138000"));
}

TEST(KeyedHasher, InterleavedHashersKeepTheirKeys) {
  // More hashers than a thread caches, used in turn, so cached contexts are
  // evicted and re-created; a new hasher at a recycled address must not
  // answer with an old key.
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
