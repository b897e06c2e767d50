#include "file_target.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../temp_dir.h"
#include "medgate/testkit/fake_source_context.h"

namespace medgate::file_adapter {
namespace {

namespace fs = std::filesystem;
using medgate::testing::TempDir;
using Lines = std::vector<std::string>;

std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

Lines lines_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  EXPECT_TRUE(text.empty() || text.back() == '\n') << path << " ends mid-line";
  Lines lines;
  std::string line;
  std::istringstream is(text);
  while (std::getline(is, line)) lines.push_back(line);
  return lines;
}

std::vector<sdk::Delivery> deliveries(int from, int to) {
  std::vector<sdk::Delivery> batch;
  for (int i = from; i < to; ++i) {
    char payload[64];
    std::snprintf(payload, sizeof payload, R"({"n":%04d,"pad":"0123456789ab"})", i);
    batch.push_back({"key-" + std::to_string(i), "p", payload});
  }
  return batch;
}

bool all_delivered(const std::vector<sdk::Outcome>& outcomes) {
  return std::all_of(outcomes.begin(), outcomes.end(),
                     [](const sdk::Outcome& o) { return o.kind == sdk::Outcome::Kind::delivered; });
}

class FileTargetTest : public ::testing::Test {
 protected:
  FileTargetOptions options(std::uint64_t rotate_bytes = 1 << 20) const {
    FileTargetOptions o;
    o.path = out();
    o.prefix = "analytics";
    o.rotate_bytes = rotate_bytes;
    return o;
  }
  std::string out() const { return dir_ / "out"; }

  TempDir dir_;
  medgate::testkit::FakeSourceContext ctx_{dir_.path()};
};

TEST_F(FileTargetTest, LinesIntactAndOpenUntilStop) {
  FileTarget target(options());
  ASSERT_TRUE(target.start(ctx_).ok());
  auto batch = deliveries(0, 3);
  EXPECT_TRUE(all_delivered(target.deliver(batch)));
  EXPECT_EQ(target.deliver(batch).size(), 3u);

  std::vector<std::string> names = names_in(out());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].ends_with(".ndjson.open")) << names[0];
  EXPECT_TRUE(names[0].starts_with("analytics-")) << names[0];
  EXPECT_EQ(lines_of(out() + "/" + names[0]).size(), 6u);  // fdatasync'd and readable already

  target.stop();
  names = names_in(out());
  ASSERT_EQ(names.size(), 1u);
  ASSERT_TRUE(names[0].ends_with(".ndjson")) << names[0];
  // PREFIX-YYYYMMDDTHHMMSSZ-NNNNNN.ndjson
  EXPECT_EQ(names[0].size(), std::string("analytics-20260101T000000Z-000000.ndjson").size()) << names[0];
  EXPECT_EQ(names[0][std::string("analytics-20260101T000000").size()], 'Z');
  Lines expected;
  for (int k = 0; k < 2; ++k)
    for (const auto& d : batch) expected.push_back(d.payload);
  EXPECT_EQ(lines_of(out() + "/" + names[0]), expected);
}

TEST_F(FileTargetTest, RotatesBySize) {
  // Each line is 32 bytes: three fit into 100 bytes, a fourth would not.
  FileTarget target(options(100));
  ASSERT_TRUE(target.start(ctx_).ok());
  auto first = deliveries(0, 4);
  auto second = deliveries(4, 10);
  ASSERT_EQ(first[0].payload.size() + 1, 32u);
  EXPECT_TRUE(all_delivered(target.deliver(first)));
  EXPECT_TRUE(all_delivered(target.deliver(second)));
  target.stop();

  std::vector<std::string> names = names_in(out());
  ASSERT_EQ(names.size(), 4u);
  Lines all;
  for (const std::string& name : names) {
    ASSERT_TRUE(name.ends_with(".ndjson")) << name;
    EXPECT_LE(fs::file_size(out() + "/" + name), 100u) << name;
    for (std::string& l : lines_of(out() + "/" + name)) all.push_back(std::move(l));
  }
  Lines expected;
  for (const auto& d : deliveries(0, 10)) expected.push_back(d.payload);
  EXPECT_EQ(all, expected);  // name order is delivery order
}

TEST_F(FileTargetTest, FileReachingTheLimitIsCompletedAtOnce) {
  FileTarget target(options(64));
  ASSERT_TRUE(target.start(ctx_).ok());
  EXPECT_TRUE(all_delivered(target.deliver(deliveries(0, 2))));  // exactly 64 bytes
  EXPECT_TRUE(target.current_file().empty());
  std::vector<std::string> names = names_in(out());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].ends_with(".ndjson"));
}

TEST_F(FileTargetTest, RotatesByInterval) {
  auto now = std::chrono::steady_clock::time_point{};
  FileTargetOptions o = options();
  o.rotate_interval = std::chrono::minutes(1);
  FileTarget target(o, [&] { return now; });
  ASSERT_TRUE(target.start(ctx_).ok());
  EXPECT_TRUE(all_delivered(target.deliver(deliveries(0, 1))));
  now += std::chrono::seconds(59);
  EXPECT_TRUE(all_delivered(target.deliver(deliveries(1, 2))));
  EXPECT_EQ(names_in(out()).size(), 1u);
  now += std::chrono::seconds(1);
  // An idle target completes its file at the next flush.
  ASSERT_TRUE(target.flush().ok());
  std::vector<std::string> names = names_in(out());
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].ends_with(".ndjson"));
  EXPECT_TRUE(all_delivered(target.deliver(deliveries(2, 3))));
  target.stop();
  names = names_in(out());
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(lines_of(out() + "/" + names[0]).size(), 2u);
  EXPECT_EQ(lines_of(out() + "/" + names[1]).size(), 1u);
}

TEST_F(FileTargetTest, LeftoverOpenFilesAreCompletedOnStart) {
  fs::create_directories(out());
  std::ofstream(out() + "/analytics-20260101T000000Z-000007.ndjson.open") << "{\"n\":1}\n";
  std::ofstream(out() + "/analytics-20260101T000000Z-000003.ndjson") << "{\"n\":0}\n";
  std::ofstream(out() + "/other-20260101T000000Z-000009.ndjson.open") << "{}\n";  // another target's
  FileTarget target(options());
  ASSERT_TRUE(target.start(ctx_).ok());
  std::vector<std::string> names = names_in(out());
  EXPECT_EQ(names, (std::vector<std::string>{"analytics-20260101T000000Z-000003.ndjson",
                                             "analytics-20260101T000000Z-000007.ndjson",
                                             "other-20260101T000000Z-000009.ndjson.open"}));
  EXPECT_EQ(lines_of(out() + "/analytics-20260101T000000Z-000007.ndjson"), (Lines{"{\"n\":1}"}));

  // New files never reuse a sequence number.
  EXPECT_TRUE(all_delivered(target.deliver(deliveries(0, 1))));
  EXPECT_TRUE(target.current_file().ends_with("-000008.ndjson")) << target.current_file();
  target.stop();
  EXPECT_EQ(names_in(out()).size(), 4u);
}

TEST_F(FileTargetTest, LeftoverUnfinishedLastLineIsCutOnStart) {
  fs::create_directories(out());
  std::ofstream(out() + "/analytics-20260101T000000Z-000001.ndjson.open") << "{\"n\":1}\n{\"n\":2}\n{\"n\":3,\"pa";
  std::ofstream(out() + "/analytics-20260101T000000Z-000002.ndjson.open") << "{\"no newline at all";
  FileTarget target(options());
  ASSERT_TRUE(target.start(ctx_).ok());
  EXPECT_EQ(lines_of(out() + "/analytics-20260101T000000Z-000001.ndjson"), (Lines{"{\"n\":1}", "{\"n\":2}"}));
  EXPECT_EQ(fs::file_size(out() + "/analytics-20260101T000000Z-000002.ndjson"), 0u);
  EXPECT_EQ(ctx_.count_logs("cut 10 bytes of an unfinished last line from analytics-20260101T000000Z-000001"), 1u)
      << ctx_.all_logs();
  EXPECT_EQ(ctx_.count_logs("cut 19 bytes of an unfinished last line from analytics-20260101T000000Z-000002"), 1u)
      << ctx_.all_logs();
  target.stop();
}

TEST_F(FileTargetTest, CrashLeavesOpenFileThatNextStartCompletes) {
  {
    FileTarget crashed(options());
    ASSERT_TRUE(crashed.start(ctx_).ok());
    EXPECT_TRUE(all_delivered(crashed.deliver(deliveries(0, 2))));
    // No stop(): as after kill -9.
  }
  ASSERT_TRUE(names_in(out())[0].ends_with(".open"));
  FileTarget target(options());
  ASSERT_TRUE(target.start(ctx_).ok());
  std::vector<std::string> names = names_in(out());
  ASSERT_EQ(names.size(), 1u);
  ASSERT_TRUE(names[0].ends_with(".ndjson"));
  EXPECT_EQ(lines_of(out() + "/" + names[0]).size(), 2u);
  target.stop();
}

TEST_F(FileTargetTest, NewlineInPayloadIsRejectedAlone) {
  FileTarget target(options());
  ASSERT_TRUE(target.start(ctx_).ok());
  std::vector<sdk::Delivery> batch = deliveries(0, 3);
  batch[1].payload = "{\"a\":\n1}";
  std::vector<sdk::Outcome> outcomes = target.deliver(batch);
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_EQ(outcomes[0].kind, sdk::Outcome::Kind::delivered);
  EXPECT_EQ(outcomes[1].kind, sdk::Outcome::Kind::rejected);
  EXPECT_EQ(outcomes[2].kind, sdk::Outcome::Kind::delivered);
  target.stop();
  EXPECT_EQ(lines_of(out() + "/" + names_in(out())[0]), (Lines{batch[0].payload, batch[2].payload}));
}

TEST_F(FileTargetTest, WriteFailureAsksForRetry) {
  FileTarget target(options());
  ASSERT_TRUE(target.start(ctx_).ok());
  // The output directory is replaced by a plain file: creating the next file fails.
  fs::remove_all(out());
  std::ofstream(out()) << "not a directory";
  std::vector<sdk::Outcome> outcomes = target.deliver(deliveries(0, 2));
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].kind, sdk::Outcome::Kind::retry);
  EXPECT_EQ(outcomes[1].kind, sdk::Outcome::Kind::retry);
  EXPECT_NE(outcomes[0].reason.find("Not a directory"), std::string::npos) << outcomes[0].reason;
  fs::remove(out());
  fs::create_directory(out());
  EXPECT_TRUE(all_delivered(target.deliver(deliveries(0, 2))));
  target.stop();
  EXPECT_EQ(lines_of(out() + "/" + names_in(out())[0]).size(), 2u);
}

}  // namespace
}  // namespace medgate::file_adapter
