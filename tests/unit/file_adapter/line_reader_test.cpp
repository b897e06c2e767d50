#include "line_reader.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include "../temp_dir.h"

namespace medgate::file_adapter {
namespace {

struct Seen {
  LineReader::Kind kind;
  std::string text;
  std::uint64_t length;
  std::uint64_t next_offset;
};

std::vector<Seen> read_all(const std::string& path, std::uint64_t offset, std::size_t max, std::size_t chunk) {
  int fd = ::open(path.c_str(), O_RDONLY);
  EXPECT_GE(fd, 0);
  LineReader reader(fd, offset, max, chunk);
  std::vector<Seen> out;
  for (;;) {
    LineReader::Item item = reader.next();
    if (item.kind == LineReader::Kind::end || item.kind == LineReader::Kind::error) break;
    out.push_back({item.kind, std::string(item.text), item.length, item.next_offset});
  }
  ::close(fd);
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

class LineReaderTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(LineReaderTest, CompleteLinesOnlyAtAnyChunkSize) {
  medgate::testing::TempDir dir;
  std::string path = dir / "a.ndjson";
  write_file(path, "one\n\ntwo two\nthree-partial");
  std::vector<Seen> lines = read_all(path, 0, 1024, GetParam());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].text, "one");
  EXPECT_EQ(lines[0].next_offset, 4u);
  EXPECT_EQ(lines[1].text, "");
  EXPECT_EQ(lines[2].text, "two two");
  EXPECT_EQ(lines[2].next_offset, 13u);
  std::vector<Seen> rest = read_all(path, 4, 1024, GetParam());
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[1].text, "two two");
}

TEST_P(LineReaderTest, OversizedLineKeepsOnlyPrefix) {
  medgate::testing::TempDir dir;
  std::string path = dir / "a.ndjson";
  std::string big(5000, 'x');
  big[0] = 'A';
  write_file(path, "short\n" + big + "\nafter\n" + std::string(3000, 'y'));
  std::vector<Seen> lines = read_all(path, 0, 1024, GetParam());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].kind, LineReader::Kind::line);
  EXPECT_EQ(lines[1].kind, LineReader::Kind::oversized);
  EXPECT_EQ(lines[1].text, big.substr(0, 1024));
  EXPECT_EQ(lines[1].length, 5000u);
  EXPECT_EQ(lines[1].next_offset, 6u + 5001u);
  EXPECT_EQ(lines[2].kind, LineReader::Kind::line);
  EXPECT_EQ(lines[2].text, "after");
}

INSTANTIATE_TEST_SUITE_P(ChunkSizes, LineReaderTest, ::testing::Values(1, 3, 100, 1 << 18));

TEST(LineReader, PartialLineIsSeenWhenCompleted) {
  medgate::testing::TempDir dir;
  std::string path = dir / "a.ndjson";
  write_file(path, "partial" + std::string(2000, 'z'));
  int fd = ::open(path.c_str(), O_RDONLY);
  LineReader reader(fd, 0, 1024, 64);
  EXPECT_EQ(reader.next().kind, LineReader::Kind::end);
  std::ofstream(path, std::ios::app) << "\nnext\n";
  LineReader::Item item = reader.next();
  EXPECT_EQ(item.kind, LineReader::Kind::oversized);
  EXPECT_EQ(item.length, 2007u);
  EXPECT_EQ(item.text.substr(0, 7), "partial");
  item = reader.next();
  EXPECT_EQ(item.kind, LineReader::Kind::line);
  EXPECT_EQ(item.text, "next");
  ::close(fd);
}

}  // namespace
}  // namespace medgate::file_adapter
