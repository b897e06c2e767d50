#include "inbox_cursor.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.h"

namespace medgate::file_adapter {
namespace {

TEST(InboxCursor, MissingStoreIsEmpty) {
  medgate::testing::TempDir dir;
  InboxCursor cursor(dir / "cursor.json");
  ASSERT_TRUE(cursor.load().ok());
  EXPECT_TRUE(cursor.files().empty());
  EXPECT_EQ(cursor.find("a.ndjson"), nullptr);
}

TEST(InboxCursor, SavedPositionsReload) {
  medgate::testing::TempDir dir;
  {
    InboxCursor cursor(dir / "cursor.json");
    ASSERT_TRUE(cursor.load().ok());
    cursor.set("01 first.ndjson", {10, 20, 300, 4});
    cursor.set("02-\"quoted\"\n.ndjson", {10, 21, (1ull << 40) + 1, 5});
    EXPECT_TRUE(cursor.dirty());
    ASSERT_TRUE(cursor.save().ok());
    EXPECT_FALSE(cursor.dirty());
  }
  InboxCursor again(dir / "cursor.json");
  ASSERT_TRUE(again.load().ok());
  ASSERT_EQ(again.files().size(), 2u);
  const FilePosition* a = again.find("01 first.ndjson");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->device, 10u);
  EXPECT_EQ(a->inode, 20u);
  EXPECT_EQ(a->offset, 300u);
  EXPECT_EQ(a->lines, 4u);
  const FilePosition* b = again.find("02-\"quoted\"\n.ndjson");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->offset, (1ull << 40) + 1);
}

TEST(InboxCursor, SetSamePositionIsNotAChange) {
  medgate::testing::TempDir dir;
  InboxCursor cursor(dir / "cursor.json");
  cursor.set("a.ndjson", {1, 2, 0, 0});
  EXPECT_TRUE(cursor.dirty());  // a new file is a change, even at offset 0
  ASSERT_TRUE(cursor.save().ok());
  cursor.set("a.ndjson", {1, 2, 0, 0});
  EXPECT_FALSE(cursor.dirty());
  cursor.set("a.ndjson", {1, 2, 7, 1});
  EXPECT_TRUE(cursor.dirty());
}

TEST(InboxCursor, RetainOnlyDropsVanishedFiles) {
  medgate::testing::TempDir dir;
  InboxCursor cursor(dir / "cursor.json");
  cursor.set("a.ndjson", {1, 1, 5, 1});
  cursor.set("b.ndjson", {1, 2, 5, 1});
  ASSERT_TRUE(cursor.save().ok());
  EXPECT_FALSE(cursor.retain_only({"a.ndjson", "b.ndjson", "c.ndjson"}));
  EXPECT_FALSE(cursor.dirty());
  EXPECT_TRUE(cursor.retain_only({"b.ndjson"}));
  EXPECT_TRUE(cursor.dirty());
  EXPECT_EQ(cursor.find("a.ndjson"), nullptr);
  EXPECT_NE(cursor.find("b.ndjson"), nullptr);
}

TEST(InboxCursor, SaveReplacesAtomically) {
  medgate::testing::TempDir dir;
  std::string path = dir / "cursor.json";
  InboxCursor cursor(path);
  cursor.set("a.ndjson", {1, 1, 5, 1});
  ASSERT_TRUE(cursor.save().ok());
  // A stale temp file from a crash mid-save does not matter.
  std::ofstream(path + ".tmp") << "garbage";
  cursor.set("a.ndjson", {1, 1, 9, 2});
  ASSERT_TRUE(cursor.save().ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  InboxCursor again(path);
  ASSERT_TRUE(again.load().ok());
  EXPECT_EQ(again.find("a.ndjson")->offset, 9u);
}

TEST(InboxCursor, FailedSaveKeepsPreviousStore) {
  medgate::testing::TempDir dir;
  std::string path = dir / "cursor.json";
  InboxCursor cursor(path);
  cursor.set("a.ndjson", {1, 1, 5, 1});
  ASSERT_TRUE(cursor.save().ok());
  // The temp name is taken by a directory: the save fails before the rename.
  std::filesystem::create_directory(path + ".tmp");
  cursor.set("a.ndjson", {1, 1, 9, 2});
  EXPECT_FALSE(cursor.save().ok());
  EXPECT_TRUE(cursor.dirty());
  InboxCursor again(path);
  ASSERT_TRUE(again.load().ok());
  EXPECT_EQ(again.find("a.ndjson")->offset, 5u);
}

TEST(InboxCursor, DamagedStoreIsAnError) {
  medgate::testing::TempDir dir;
  std::string path = dir / "cursor.json";
  for (const char* text : {"{\"version\":1,\"files\":[{\"name\":\"a\"", "{\"version\":2,\"files\":[]}",
                           "{\"version\":1,\"files\":[{\"name\":\"a\",\"offset\":-1}]}"}) {
    std::ofstream(path, std::ios::trunc) << text;
    InboxCursor cursor(path);
    sdk::Status s = cursor.load();
    EXPECT_FALSE(s.ok()) << text;
    EXPECT_NE(s.message().find("damaged"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace medgate::file_adapter
