#include "crypto/deterministic_cipher.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <atomic>
#include <thread>
#include <vector>

#include "../temp_dir.h"
#include "crypto/digest.h"
#include "crypto/key_store.h"

namespace medgate::crypto {
namespace {

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

// RFC 5297, appendix A.1 (deterministic authenticated encryption example):
// checks that OpenSSL is driven as the RFC's AES-SIV, not some other mode.
TEST(DeterministicCipher, MatchesRfc5297ExampleA1) {
  DeterministicCipher c(unhex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"));
  std::string ad = unhex("101112131415161718191a1b1c1d1e1f2021222324252627");
  std::string plain = unhex("112233445566778899aabbccddee");
  std::string sealed = c.seal(ad, plain);
  EXPECT_EQ(to_hex(reinterpret_cast<const std::uint8_t*>(sealed.data()), sealed.size()), "85632d07c6e8f37f950acd320a2ecc9340c02b9690c4dc04daef7f6afe5c");
  std::string opened;
  ASSERT_TRUE(c.open(ad, sealed, opened));
  EXPECT_EQ(opened, plain);
}

// Every call starts from the keyed state: a second seal of the RFC example,
// after a refused open in between, gives the RFC's bytes again.
TEST(DeterministicCipher, EachCallStartsFromTheKeyedState) {
  DeterministicCipher c(unhex("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"));
  const std::string ad = unhex("101112131415161718191a1b1c1d1e1f2021222324252627");
  const std::string plain = unhex("112233445566778899aabbccddee");
  const std::string first = c.seal(ad, plain);
  std::string bad = first, opened;
  bad.back() ^= 0x01;
  EXPECT_FALSE(c.open(ad, bad, opened));
  EXPECT_EQ(c.seal(ad, plain), first);
  EXPECT_EQ(c.seal("other", plain).size(), first.size());
  EXPECT_EQ(c.seal(ad, plain), first);
  ASSERT_TRUE(c.open(ad, first, opened));
  EXPECT_EQ(opened, plain);
}

TEST(DeterministicCipher, IsDeterministicAndAuthenticated) {
  DeterministicCipher c(DeterministicCipher::derive_key(std::string(32, '\x42')));
  std::string a = c.seal("k1", "13812345678"), b = c.seal("k1", "13812345678");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c.seal("k1", "13812345679"));
  EXPECT_NE(a, c.seal("k2", "13812345678"));  // the key id is associated data
  std::string out;
  EXPECT_TRUE(c.open("k1", a, out));
  EXPECT_EQ(out, "13812345678");
  EXPECT_FALSE(c.open("k2", a, out));
  EXPECT_TRUE(out.empty());
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::string bad = a;
    bad[i] ^= 0x01;
    EXPECT_FALSE(c.open("k1", bad, out)) << "flipped byte " << i;
  }
  EXPECT_FALSE(c.open("k1", a.substr(0, 10), out));
  DeterministicCipher other(DeterministicCipher::derive_key(std::string(32, '\x43')));
  EXPECT_FALSE(other.open("k1", a, out));
  EXPECT_THROW(DeterministicCipher(std::string(16, 'x')), std::invalid_argument);
}

TEST(DeterministicCipher, DerivedKeyIsNotTheSecret) {
  std::string secret(32, '\x07');
  std::string k = DeterministicCipher::derive_key(secret);
  EXPECT_EQ(k.size(), 64u);
  EXPECT_EQ(k.find(secret), std::string::npos);
  EXPECT_EQ(k, DeterministicCipher::derive_key(secret));
  EXPECT_NE(k, DeterministicCipher::derive_key(std::string(32, '\x08')));
}

TEST(DeterministicCipher, HandlesRoundTripAndRejectMalformedText) {
  std::string sealed = std::string(16, '\xff') + "\x01\x02\x03";
  std::string h = format_handle("token-2026", sealed);
  EXPECT_EQ(h.rfind("mgh1.token-2026.", 0), 0u);
  EXPECT_EQ(h.find_first_of("+/="), std::string::npos);
  std::string id, back;
  ASSERT_TRUE(parse_handle(h, id, back));
  EXPECT_EQ(id, "token-2026");
  EXPECT_EQ(back, sealed);
  for (const char* bad : {"", "mgh1.", "mgh1..AAAA", "mgh2.k.AAAAAAAAAAAAAAAAAAAAAA", "mgh1.k.AAAA",
                          "mgh1.k.AAAAAAAAAAAAAAAAAAAAA$", "mgh1.k"})
    EXPECT_FALSE(parse_handle(bad, id, back)) << bad;
}

TEST(DeterministicCipher, SealsFromManyThreads) {
  DeterministicCipher c(DeterministicCipher::derive_key(std::string(32, '\x11')));
  const std::string expected = c.seal("k", "13900001111");
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  std::string tampered = expected;
  tampered[0] ^= 0x01;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      std::string opened;
      for (int i = 0; i < 2000; ++i) {
        if (c.seal("k", "13900001111") != expected) ++wrong;
        if (!c.open("k", expected, opened) || opened != "13900001111") ++wrong;
        if (c.open("k", tampered, opened)) ++wrong;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// Rotation: a new key id makes new handles; the retired id still opens the old ones.
TEST(KeyStore, RetiredKeysStillOpenTheirHandles) {
  testing::TempDir dir;
  testing::write_file(dir / "old.key", std::string(64, 'a'));
  testing::write_file(dir / "new.key", std::string(64, 'b'));
  config::KeyConfig old_key{"token-2025", dir / "old.key", {}, {}, true};
  config::KeyConfig new_key{"token-2026", dir / "new.key", {}, {}, false};
  KeyStore keys;
  ASSERT_TRUE(keys.load({old_key, new_key}).ok());
  EXPECT_TRUE(keys.retired("token-2025"));
  EXPECT_FALSE(keys.retired("token-2026"));
  std::string old_handle = format_handle("token-2025", keys.cipher("token-2025")->seal("token-2025", "13812345678"));
  std::string new_handle = format_handle("token-2026", keys.cipher("token-2026")->seal("token-2026", "13812345678"));
  EXPECT_NE(old_handle, new_handle);
  std::string plain;
  ASSERT_TRUE(keys.open_handle(old_handle, plain).ok());
  EXPECT_EQ(plain, "13812345678");
  ASSERT_TRUE(keys.open_handle(new_handle, plain).ok());
  EXPECT_EQ(plain, "13812345678");

  // Moved under another key id: does not open.
  std::string moved = "mgh1.token-2026." + old_handle.substr(std::string("mgh1.token-2025.").size());
  sdk::Status s = keys.open_handle(moved, plain);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not open"), std::string::npos);
  EXPECT_NE(keys.open_handle("mgh1.gone." + std::string(30, 'A'), plain).message().find("not loaded"),
            std::string::npos);
  EXPECT_NE(keys.open_handle("13812345678", plain).message().find("not an encrypted handle"), std::string::npos);
}

TEST(KeyStore, RefusesKeyFilesOthersCanRead) {
  testing::TempDir dir;
  testing::write_file(dir / "k.key", std::string(64, 'a'));
  chmod((dir / "k.key").c_str(), 0640);
  KeyStore keys;
  sdk::Status s = keys.load({{"k", dir / "k.key", {}, {}}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("accessible by group or others"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace medgate::crypto
