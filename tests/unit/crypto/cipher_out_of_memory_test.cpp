// What the cipher and the key store report when OpenSSL runs out of memory:
// its allocator is swapped for one that fails on demand, which OpenSSL allows
// only before its first allocation, hence a test binary of its own with its
// own main().
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "../temp_dir.h"
#include "crypto/deterministic_cipher.h"
#include "crypto/key_store.h"

namespace {
std::atomic<bool> g_fail{false};
std::atomic<bool> g_allocator_swapped{false};

void* failing_malloc(std::size_t n, const char*, int) { return g_fail ? nullptr : std::malloc(n); }
void* failing_realloc(void* p, std::size_t n, const char*, int) { return g_fail ? nullptr : std::realloc(p, n); }
void plain_free(void* p, const char*, int) { std::free(p); }

// Fails OpenSSL's allocations while in scope.
struct OutOfMemory {
  OutOfMemory() { g_fail = true; }
  ~OutOfMemory() { g_fail = false; }
};
}  // namespace

namespace medgate::crypto {
namespace {

TEST(CipherOutOfMemory, TheAllocatorWasSwapped) { ASSERT_TRUE(g_allocator_swapped); }

TEST(CipherOutOfMemory, SealAndOpenThrowInsteadOfReportingABadHandle) {
  ASSERT_TRUE(g_allocator_swapped);
  DeterministicCipher c(DeterministicCipher::derive_key(std::string(32, '\x11')));
  const std::string sealed = c.seal("k", "13900001111");
  std::string plain;
  {
    OutOfMemory oom;
    EXPECT_THROW(c.seal("k", "13900001111"), std::runtime_error);
    EXPECT_THROW(c.open("k", sealed, plain), std::runtime_error);
  }
  // Memory back: the same calls work, and a bad handle is still just false.
  EXPECT_EQ(c.seal("k", "13900001111"), sealed);
  ASSERT_TRUE(c.open("k", sealed, plain));
  EXPECT_EQ(plain, "13900001111");
  std::string tampered = sealed;
  tampered[0] ^= 0x01;
  EXPECT_FALSE(c.open("k", tampered, plain));
}

TEST(CipherOutOfMemory, TheKeyStoreSaysTryAgainNotModified) {
  ASSERT_TRUE(g_allocator_swapped);
  testing::TempDir dir;
  testing::write_file(dir / "outreach.key", std::string(64, 'a'));
  KeyStore keys;
  ASSERT_TRUE(keys.load({config::KeyConfig{"outreach-2026", dir / "outreach.key", {}, {}, false}}).ok());
  const std::string handle =
      format_handle("outreach-2026", keys.cipher("outreach-2026")->seal("outreach-2026", "13812345678"));
  std::string plain;
  sdk::Status s;
  {
    OutOfMemory oom;
    s = keys.open_handle(handle, plain);
  }
  EXPECT_EQ(s.code(), sdk::StatusCode::unavailable) << s.message();
  EXPECT_NE(s.message().find("could not be opened now"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("modified"), std::string::npos) << s.message();
  ASSERT_TRUE(keys.open_handle(handle, plain).ok());
  EXPECT_EQ(plain, "13812345678");
}

}  // namespace
}  // namespace medgate::crypto

int main(int argc, char** argv) {
  // Before anything else touches OpenSSL: it refuses once it has allocated.
  g_allocator_swapped = CRYPTO_set_mem_functions(failing_malloc, failing_realloc, plain_free) == 1;
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
