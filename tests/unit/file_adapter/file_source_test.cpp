#include "file_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "../temp_dir.h"
#include "medgate/testkit/fake_source_context.h"

namespace medgate::file_adapter {
namespace {

namespace fs = std::filesystem;
using medgate::testkit::FakeSourceContext;
using medgate::testing::TempDir;
using Ids = std::vector<std::string>;

std::string flat(const std::string& id) {
  return R"({"source":"his","record_id":")" + id +
         R"(","mrn":"MRN1","name":"N","gender":"F","visit_time":"2026-01-01T08:00:00+08:00","charge_cny":1.5})";
}
std::string profile(const std::string& id) {
  return R"({"source_record_id":")" + id + R"(","event_type":"visit","subject":{"mrn":"M"}})";
}

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directory(inbox());
    fs::create_directory(state());
  }

  std::string inbox() const { return dir_ / "inbox"; }
  std::string state() const { return dir_ / "state"; }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(inbox() + "/" + name, std::ios::binary | std::ios::trunc) << text;
  }
  void append(const std::string& name, const std::string& text) {
    std::ofstream(inbox() + "/" + name, std::ios::binary | std::ios::app) << text;
  }
  FileSourceOptions options(std::size_t batch_max = 1000) const {
    FileSourceOptions o;
    o.path = inbox();
    o.poll_interval = std::chrono::milliseconds(5);
    o.batch_max = batch_max;
    o.max_line_bytes = 1024;
    return o;
  }
  // One pass with a fresh source: what a restart would see.
  FileSource::Pass pass(FakeSourceContext& ctx, std::size_t batch_max = 1000) {
    FileSource source(options(batch_max));
    return source.poll_once(ctx);
  }

  TempDir dir_;
};

TEST_F(FileSourceTest, EmitsEveryLineOnceInFileNameOrder) {
  write("b.ndjson", flat("b1") + "\n" + profile("b2") + "\n");
  write("a.ndjson", flat("a1") + "\n\n   \n" + flat("a2") + "\n");
  write("c.ndjson.part", flat("part") + "\n");
  write(".d.ndjson", flat("hidden") + "\n");
  write("e.json", flat("other") + "\n");
  FakeSourceContext ctx(state());
  FileSource source(options());
  FileSource::Pass p = source.poll_once(ctx);
  ASSERT_TRUE(p.status.ok()) << p.status.message();
  EXPECT_TRUE(p.progressed);
  EXPECT_EQ(ctx.ids(), (Ids{"a1", "a2", "b1", "b2"}));
  EXPECT_TRUE(ctx.quarantined().empty());
  EXPECT_EQ(source.counters().emitted, 4u);
  // The flat line was mapped, the profile line passed through.
  EXPECT_EQ(ctx.emitted()[0].string_or("event_type", ""), "visit");
  EXPECT_NE(ctx.emitted()[0].at_path("subject.mrn"), nullptr);

  p = source.poll_once(ctx);
  ASSERT_TRUE(p.status.ok());
  EXPECT_FALSE(p.progressed);
  EXPECT_EQ(ctx.ids().size(), 4u);
}

TEST_F(FileSourceTest, RestartWithSameStateDoesNotReEmit) {
  write("a.ndjson", flat("a1") + "\n" + flat("a2") + "\n");
  FakeSourceContext first(state());
  ASSERT_TRUE(pass(first).status.ok());
  EXPECT_EQ(first.ids(), (Ids{"a1", "a2"}));

  append("a.ndjson", flat("a3") + "\n");
  write("b.ndjson", flat("b1") + "\n");
  FakeSourceContext second(state());
  ASSERT_TRUE(pass(second).status.ok());
  EXPECT_EQ(second.ids(), (Ids{"a3", "b1"}));

  FakeSourceContext third(state());
  FileSource::Pass p = pass(third);
  ASSERT_TRUE(p.status.ok());
  EXPECT_FALSE(p.progressed);
  EXPECT_TRUE(third.ids().empty());
}

TEST_F(FileSourceTest, PartialLastLineWaitsUntilCompleted) {
  std::string line = flat("a2");
  write("a.ndjson", flat("a1") + "\n" + line.substr(0, 20));
  FakeSourceContext ctx(state());
  FileSource source(options());
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_EQ(ctx.ids(), (Ids{"a1"}));
  EXPECT_TRUE(ctx.quarantined().empty());

  append("a.ndjson", line.substr(20));  // still no newline
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_EQ(ctx.ids(), (Ids{"a1"}));

  append("a.ndjson", "\n");
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_EQ(ctx.ids(), (Ids{"a1", "a2"}));
  EXPECT_TRUE(ctx.quarantined().empty());
}

TEST_F(FileSourceTest, PartialLineSurvivesRestart) {
  write("a.ndjson", flat("a1") + "\n{\"source_record_id\":\"a2\",");
  FakeSourceContext first(state());
  ASSERT_TRUE(pass(first).status.ok());
  append("a.ndjson", "\"event_type\":\"visit\"}\n");
  FakeSourceContext second(state());
  ASSERT_TRUE(pass(second).status.ok());
  EXPECT_EQ(second.ids(), (Ids{"a2"}));
}

TEST_F(FileSourceTest, RefusedEmitDoesNotAdvance) {
  write("a.ndjson", flat("a1") + "\n" + flat("a2") + "\n" + flat("a3") + "\n");
  FakeSourceContext ctx(state());
  ctx.refuse_next_emits(1);
  FileSource source(options(2));
  FileSource::Pass p = source.poll_once(ctx);
  EXPECT_EQ(p.status.code(), sdk::StatusCode::resource_exhausted);
  EXPECT_NE(p.status.message().find("spool full"), std::string::npos) << p.status.message();
  EXPECT_TRUE(ctx.ids().empty());

  // Nothing was acknowledged: a restarted source starts from the beginning too.
  FakeSourceContext restarted(state());
  restarted.refuse_next_emits(1);
  EXPECT_FALSE(pass(restarted, 2).status.ok());

  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_EQ(ctx.ids(), (Ids{"a1", "a2", "a3"}));
  EXPECT_EQ(ctx.batch_sizes(), (std::vector<std::size_t>{2, 2, 1}));
}

TEST_F(FileSourceTest, RefusedSecondBatchKeepsFirst) {
  write("a.ndjson", flat("a1") + "\n" + flat("a2") + "\n" + flat("a3") + "\n");
  FakeSourceContext ctx(state());
  ctx.refuse_emit_call(2);
  EXPECT_FALSE(pass(ctx, 2).status.ok());
  EXPECT_EQ(ctx.ids(), (Ids{"a1", "a2"}));
  // The first batch was acknowledged and its position saved; only a3 is left.
  FakeSourceContext restarted(state());
  ASSERT_TRUE(pass(restarted, 2).status.ok());
  EXPECT_EQ(restarted.ids(), (Ids{"a3"}));
}

TEST_F(FileSourceTest, MalformedLinesQuarantinedWithFileAndLine) {
  write("01-his.ndjson", flat("h1") + "\n");
  write("02-channels.ndjson", flat("c1") + "\n" + "\n" + "[1,2]\n" + "{not json\n" + flat("c5") + "\n" +
                                  R"({"record_id":"c6","visit_time":"T","name":"N","charge_cny":"lots"})" + "\n" +
                                  std::string(2000, 'x') + "\n" + profile("c8") + "\n");
  FakeSourceContext ctx(state());
  FileSource source(options());
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_EQ(ctx.ids(), (Ids{"h1", "c1", "c5", "c8"}));
  const auto& q = ctx.quarantined();
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0].raw, "[1,2]");
  EXPECT_EQ(q[0].reason, "02-channels.ndjson:3: not a JSON object (array)");
  EXPECT_EQ(q[1].raw, "{not json");
  EXPECT_TRUE(q[1].reason.starts_with("02-channels.ndjson:4: not JSON: ")) << q[1].reason;
  EXPECT_EQ(q[2].reason, "02-channels.ndjson:6: flat record: field 'charge_cny' must be a number, not string");
  EXPECT_TRUE(q[3].reason.starts_with("02-channels.ndjson:7: line of 2000 bytes exceeds max_line_bytes (1024)"))
      << q[3].reason;
  EXPECT_EQ(q[3].raw.size(), 1024u);
  EXPECT_EQ(source.counters().quarantined, 4u);
  // Logs carry counts and names only, never record contents.
  for (const std::string& line : ctx.logs()) {
    EXPECT_EQ(line.find("MRN1"), std::string::npos) << line;
    EXPECT_EQ(line.find("not json"), std::string::npos) << line;
  }
}

TEST_F(FileSourceTest, LineNumbersContinueAfterRestart) {
  write("a.ndjson", flat("a1") + "\n" + flat("a2") + "\n");
  FakeSourceContext first(state());
  ASSERT_TRUE(pass(first).status.ok());
  append("a.ndjson", "oops\n");
  FakeSourceContext second(state());
  ASSERT_TRUE(pass(second).status.ok());
  ASSERT_EQ(second.quarantined().size(), 1u);
  EXPECT_TRUE(second.quarantined()[0].reason.starts_with("a.ndjson:3: ")) << second.quarantined()[0].reason;
}

TEST_F(FileSourceTest, RefusedQuarantineDoesNotAdvance) {
  write("a.ndjson", flat("a1") + "\nbad\n" + flat("a3") + "\n");
  FakeSourceContext ctx(state());
  ctx.refuse_quarantine(true);
  FileSource source(options());
  EXPECT_FALSE(source.poll_once(ctx).status.ok());
  EXPECT_TRUE(ctx.ids().empty());
  ctx.refuse_quarantine(false);
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_EQ(ctx.ids(), (Ids{"a1", "a3"}));
  ASSERT_EQ(ctx.quarantined().size(), 1u);
  EXPECT_TRUE(ctx.quarantined()[0].reason.starts_with("a.ndjson:2: "));
}

TEST_F(FileSourceTest, RejectedRecordsAreCountedNotRetried) {
  write("a.ndjson", flat("a1") + "\n" + flat("bad") + "\n" + flat("a3") + "\n");
  FakeSourceContext ctx(state());
  ctx.reject_when([](const sdk::Value& v) { return v.string_or("source_record_id", "") == "bad"; });
  FileSource source(options());
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_EQ(ctx.ids(), (Ids{"a1", "a3"}));
  EXPECT_EQ(source.counters().rejected, 1u);
  EXPECT_EQ(source.counters().emitted, 2u);
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_EQ(ctx.emit_calls(), 1);
}

TEST_F(FileSourceTest, ReplacedFileIsReadAgain) {
  write("a.ndjson", flat("a1") + "\n");
  FakeSourceContext ctx(state());
  FileSource source(options());
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  // A writer drops a new file under the same name (write, then rename).
  write("a.ndjson.part", flat("new1") + "\n");
  fs::rename(inbox() + "/a.ndjson.part", inbox() + "/a.ndjson");
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_EQ(ctx.ids(), (Ids{"a1", "new1"}));
}

TEST_F(FileSourceTest, VanishedFilesLeaveTheStore) {
  write("a.ndjson", flat("a1") + "\n");
  FakeSourceContext ctx(state());
  FileSource source(options());
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  fs::remove(inbox() + "/a.ndjson");
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  InboxCursor cursor(state() + "/inbox-cursor.json");
  ASSERT_TRUE(cursor.load().ok());
  EXPECT_TRUE(cursor.files().empty());
}

TEST_F(FileSourceTest, DamagedCursorStoreStopsTheSource) {
  write("a.ndjson", flat("a1") + "\n");
  std::ofstream(state() + "/inbox-cursor.json") << "{garbage";
  FakeSourceContext ctx(state());
  FileSource source(options());
  sdk::Status s = source.run(ctx);
  EXPECT_EQ(s.code(), sdk::StatusCode::failed_precondition);
  EXPECT_TRUE(ctx.ids().empty());
}

TEST_F(FileSourceTest, RunPicksUpNewFilesAndStopsWhenAsked) {
  write("a.ndjson", flat("a1") + "\n");
  FakeSourceContext ctx(state());
  FileSource source(options());
  sdk::Status result = sdk::Status::Internal("run() did not return");
  std::thread runner([&] { result = source.run(ctx); });
  EXPECT_TRUE(ctx.wait_until([](const FakeSourceContext& c) { return c.emitted().size() == 1; }));
  write("b.ndjson.part", flat("b1") + "\n" + flat("b2") + "\n");
  fs::rename(inbox() + "/b.ndjson.part", inbox() + "/b.ndjson");
  EXPECT_TRUE(ctx.wait_until([](const FakeSourceContext& c) { return c.emitted().size() == 3; }));
  // The source then idles in wait_for_stop; a stop ends run().
  EXPECT_TRUE(ctx.wait_until([](const FakeSourceContext& c) { return c.waits() > 0; }));
  ctx.request_stop();
  runner.join();
  EXPECT_TRUE(result.ok()) << result.message();
  EXPECT_EQ(ctx.ids(), (Ids{"a1", "b1", "b2"}));
}

TEST_F(FileSourceTest, RunRetriesRefusedBatch) {
  write("a.ndjson", flat("a1") + "\n");
  FakeSourceContext ctx(state());
  ctx.refuse_next_emits(2);
  FileSource source(options());
  std::thread runner([&] { (void)source.run(ctx); });
  EXPECT_TRUE(ctx.wait_until([](const FakeSourceContext& c) { return c.emitted().size() == 1; }));
  ctx.request_stop();
  runner.join();
  EXPECT_EQ(ctx.emit_calls(), 3);
  EXPECT_EQ(ctx.ids(), (Ids{"a1"}));
}

TEST_F(FileSourceTest, MissingInboxIsCreated) {
  fs::remove(inbox());
  FakeSourceContext ctx(state());
  FileSource source(options());
  ASSERT_TRUE(source.poll_once(ctx).status.ok());
  EXPECT_TRUE(fs::is_directory(inbox()));
}

}  // namespace
}  // namespace medgate::file_adapter
