// The spool cursor: survives reopening, converts the earlier text form, and
// a torn write of the newest slot falls back to the previous position.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.h"
#include "spool/cursor_file.h"

namespace medgate::spool {
namespace {

Position reopen(const std::string& path, bool& found, sdk::Status& s) {
  CursorFile f(path);
  Position p;
  s = f.open(p, found);
  return p;
}

TEST(CursorFile, StoresAndReopens) {
  testing::TempDir dir;
  const std::string path = dir / "cursor";
  {
    CursorFile f(path);
    Position p;
    bool found = true;
    ASSERT_TRUE(f.open(p, found).ok());
    EXPECT_FALSE(found);
    EXPECT_FALSE(std::filesystem::exists(path));  // created by the first store
    for (std::uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(f.store({i, i * 100}).ok());
  }
  EXPECT_EQ(std::filesystem::file_size(path), 64u);
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  bool found = false;
  sdk::Status s;
  Position p = reopen(path, found, s);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(found);
  EXPECT_EQ(p, (Position{5, 500}));
}

TEST(CursorFile, ConvertsTheTextForm) {
  testing::TempDir dir;
  const std::string path = dir / "cursor";
  std::ofstream(path) << "7 4096\n";
  bool found = false;
  sdk::Status s;
  EXPECT_EQ(reopen(path, found, s), (Position{7, 4096}));
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(std::filesystem::file_size(path), 64u);  // now the slot form
  EXPECT_EQ(reopen(path, found, s), (Position{7, 4096}));
}

TEST(CursorFile, ATornNewestSlotFallsBackToThePreviousPosition) {
  testing::TempDir dir;
  const std::string path = dir / "cursor";
  {
    CursorFile f(path);
    Position p;
    bool found;
    ASSERT_TRUE(f.open(p, found).ok());
    ASSERT_TRUE(f.store({2, 10}).ok());
    ASSERT_TRUE(f.store({2, 20}).ok());
    ASSERT_TRUE(f.store({3, 5}).ok());
  }
  // Find the slot holding {3, 5} (the newest) and tear it.
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_EQ(bytes.size(), 64u);
  const std::size_t newest = static_cast<unsigned char>(bytes[12]) == 3 ? 0 : 32;
  bytes[newest + 20] ^= 0x40;  // offset damaged, CRC no longer matches
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  bool found = false;
  sdk::Status s;
  EXPECT_EQ(reopen(path, found, s), (Position{2, 20}));
  ASSERT_TRUE(s.ok()) << s.message();
  // Both slots damaged: refuse to guess.
  bytes[(32 - newest) + 20] ^= 0x40;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  reopen(path, found, s);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("corrupt"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace medgate::spool
