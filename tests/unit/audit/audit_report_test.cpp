// Query and report on a log whose contents are known: which entries each
// filter finds, and the counts per day, target, policy and rule.
#include "audit/audit_report.h"

#include <gtest/gtest.h>

#include <chrono>

#include "audit/audit_query.h"
#include "audit/audit_reader.h"
#include "audit_test_support.h"
#include "spool/timestamps.h"

namespace medgate::audit {
namespace {
using namespace test_support;

const std::string kPhone = "subject.phone", kToken = "token", kKey = "k1", kNotes = "notes", kScrub = "scrub",
                  kName = "subject.name", kDrop = "drop";

AuditEntry record(const std::string& id, const std::string& target, const std::string& policy, int phones, int ids) {
  AuditEntry e{id, target == "sms" ? "his" : "inbox", target, "tok-" + id, policy, target == "sms" ? 2 : 1, {}};
  e.actions.push_back({&kPhone, &kToken, &kKey, {}});
  e.actions.push_back({&kNotes, &kScrub, nullptr, {{"PHONE", phones}, {"ID", ids}}});
  if (target == "sms") e.actions.push_back({&kName, &kDrop, nullptr, {}});
  return e;
}

class AuditReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AuditChain chain(AuditChainOptions{dir_.path(), 1 << 20, 0, {}}, key_);
    ASSERT_TRUE(chain.open().ok());
    ASSERT_TRUE(chain
                    .append({record("r1", "analytics", "strict", 2, 0), record("r2", "analytics", "strict", 1, 1)},
                            "2026-11-22T23:59:59.000Z")
                    .ok());
    ASSERT_TRUE(chain
                    .append({record("r3", "analytics", "strict", 0, 0), record("r3", "sms", "outreach", 0, 3)},
                            "2026-11-23T00:00:00.000Z")
                    .ok());
    ASSERT_TRUE(chain.append({record("r4", "analytics", "<b>x&y</b>", 0, 0)}, "2026-11-23T10:00:00.000Z").ok());
  }
  std::vector<std::string> query(const AuditQuery& q) {
    std::vector<std::string> ids;
    std::size_t unreadable = 0;
    EXPECT_TRUE(for_each_entry(
                    dir_.path(),
                    [&](const AuditLine& e, std::string_view, const EntryPlace&) {
                      if (matches(q, e))
                        ids.push_back(e.type == EntryType::record ? e.record.record_id + "/" + e.record.target
                                                                  : entry_type_name(e.type));
                      return true;
                    },
                    unreadable)
                    .ok());
    return ids;
  }
  AuditReport report(const AuditQuery& q = {}) {
    AuditReport r;
    std::size_t unreadable = 0;
    EXPECT_TRUE(for_each_entry(
                    dir_.path(),
                    [&](const AuditLine& e, std::string_view, const EntryPlace&) {
                      if (matches(q, e)) r.add(e);
                      return true;
                    },
                    unreadable)
                    .ok());
    return r;
  }
  static std::chrono::system_clock::time_point at(const char* text) {
    std::chrono::system_clock::time_point t;
    EXPECT_TRUE(spool::parse_rfc3339(text, t));
    return t;
  }

  ::medgate::testing::TempDir dir_;
  std::shared_ptr<crypto::Ed25519Key> key_ = crypto::Ed25519Key::generate();
};

using Ids = std::vector<std::string>;

TEST_F(AuditReportTest, QueryFindsEntriesByEachFilter) {
  EXPECT_EQ(query({}), (Ids{"r1/analytics", "r2/analytics", "r3/analytics", "r3/sms", "r4/analytics"}));
  AuditQuery q;
  q.record_id = "r3";
  EXPECT_EQ(query(q), (Ids{"r3/analytics", "r3/sms"}));
  q = {};
  q.patient_token = "tok-r2";
  EXPECT_EQ(query(q), (Ids{"r2/analytics"}));
  q = {};
  q.target = "sms";
  EXPECT_EQ(query(q), (Ids{"r3/sms"}));
  q = {};
  q.source = "inbox";
  q.rule = "subject.name";
  EXPECT_TRUE(query(q).empty());
  q.source = "his";
  EXPECT_EQ(query(q), (Ids{"r3/sms"}));
  q = {};
  q.since = at("2026-11-23");            // inclusive
  q.until = at("2026-11-23T10:00:00Z");  // exclusive
  EXPECT_EQ(query(q), (Ids{"r3/analytics", "r3/sms"}));
  q = {};
  q.all_types = true;
  auto all = query(q);
  ASSERT_EQ(all.size(), 7u);  // header, five records, the closing checkpoint
  EXPECT_EQ(all.front(), "segment");
  EXPECT_EQ(all.back(), "checkpoint");
  q.record_id = "r1";  // record filters pass records only
  EXPECT_EQ(query(q), (Ids{"r1/analytics"}));
}

TEST_F(AuditReportTest, SourceAndTargetFiltersAlsoPassTheirQuarantineAndDeadLetterEntries) {
  {
    AuditChain chain(AuditChainOptions{dir_.path(), 1 << 20, 0, {}}, key_);
    ASSERT_TRUE(chain.open().ok());
    ASSERT_TRUE(chain.append_quarantine_open({"his", 2, "2026-11-23T08:00:00.000Z", "admin"}).ok());
    ASSERT_TRUE(chain.append_quarantine_drop({"his", "entries", "operator", 1}).ok());
    ASSERT_TRUE(chain.append_quarantine_drop({"inbox", "retention", "medgated", 3}).ok());
    DeadLetterAudit d;
    d.target = "sms";
    d.selection = "all";
    d.role = "operator";
    d.count = 4;
    ASSERT_TRUE(chain.append_dead_letters(EntryType::dlq_drop, d).ok());
  }
  AuditQuery q;
  q.all_types = true;
  q.source = "his";
  EXPECT_EQ(query(q), (Ids{"r3/sms", "quarantine_open", "quarantine_drop"}));
  q.source = "inbox";
  EXPECT_EQ(query(q), (Ids{"r1/analytics", "r2/analytics", "r3/analytics", "r4/analytics", "quarantine_drop"}));
  q = {};
  q.all_types = true;
  q.target = "sms";
  EXPECT_EQ(query(q), (Ids{"r3/sms", "dlq_drop"}));
  q = {};
  q.source = "his";  // without all_types: records only
  EXPECT_EQ(query(q), (Ids{"r3/sms"}));
}

TEST_F(AuditReportTest, FormatsAnEntryWithoutValues) {
  std::string text;
  std::size_t unreadable = 0;
  ASSERT_TRUE(for_each_entry(
                  dir_.path(),
                  [&](const AuditLine& e, std::string_view, const EntryPlace& place) {
                    if (e.type == EntryType::record && e.record.target == "sms") text = format_entry(e, place);
                    return true;
                  },
                  unreadable)
                  .ok());
  EXPECT_EQ(text,
            "2026-11-23T00:00:00.000Z  seq 5  record r3  his -> sms  patient tok-r3  policy outreach v2  "
            "(audit-00000001.ndjson:5)\n"
            "    subject.phone  token  key k1\n"
            "    notes  scrub  found PHONE=0 ID=3\n"
            "    subject.name  drop\n");
}

TEST_F(AuditReportTest, CountsPerDayTargetPolicyAndRule) {
  EXPECT_EQ(report_csv(report()),
            "day,target,policy,policy_version,field,method,records,found_ID,found_PHONE\n"
            "2026-11-22,analytics,strict,1,*,*,2,1,3\n"
            "2026-11-22,analytics,strict,1,notes,scrub,2,1,3\n"
            "2026-11-22,analytics,strict,1,subject.phone,token,2,0,0\n"
            "2026-11-23,analytics,<b>x&y</b>,1,*,*,1,0,0\n"
            "2026-11-23,analytics,<b>x&y</b>,1,notes,scrub,1,0,0\n"
            "2026-11-23,analytics,<b>x&y</b>,1,subject.phone,token,1,0,0\n"
            "2026-11-23,analytics,strict,1,*,*,1,0,0\n"
            "2026-11-23,analytics,strict,1,notes,scrub,1,0,0\n"
            "2026-11-23,analytics,strict,1,subject.phone,token,1,0,0\n"
            "2026-11-23,sms,outreach,2,*,*,1,3,0\n"
            "2026-11-23,sms,outreach,2,notes,scrub,1,3,0\n"
            "2026-11-23,sms,outreach,2,subject.name,drop,1,0,0\n"
            "2026-11-23,sms,outreach,2,subject.phone,token,1,0,0\n");
  AuditQuery q;
  q.until = at("2026-11-23");
  AuditReport r = report(q);
  EXPECT_EQ(r.records(), 2u);
  EXPECT_EQ(r.first_time(), "2026-11-22T23:59:59.000Z");
}

TEST_F(AuditReportTest, TheHtmlPageEscapesTextAndShowsTheVerdict) {
  ReportPage page;
  page.log_dir = "/var/lib/medgate/audit";
  page.generated_at = "2026-11-24T00:00:00.000Z";
  page.period = "all entries";
  const VerifyReport verified = verify_audit_log(dir_.path(), with_key(*key_));
  page.intact = verified.intact();
  page.verification = describe(verified);
  const std::string html = report_html(report(), page);
  EXPECT_EQ(html.substr(0, 15), "<!DOCTYPE html>");
  EXPECT_NE(html.find("<td>&lt;b&gt;x&amp;y&lt;/b&gt;</td>"), std::string::npos);
  EXPECT_EQ(html.find("<b>x"), std::string::npos);
  EXPECT_NE(html.find("<p class=\"ok\">intact: "), std::string::npos);
  EXPECT_NE(html.find("Generated: 2026-11-24T00:00:00.000Z"), std::string::npos);
  EXPECT_NE(html.find("Records counted: 5"), std::string::npos);
  EXPECT_NE(html.find("<th>found ID</th><th>found PHONE</th>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>2026-11-23</td><td>sms</td><td>outreach</td><td class=\"n\">2</td><td class=\"n\">1</td>"
                      "<td class=\"n\">3</td><td class=\"n\">0</td></tr>"),
            std::string::npos);
  page.intact = false;
  page.verification = {"FAILED: x:1: seq 1: modified: <detail>"};
  EXPECT_NE(report_html(report(), page).find("<p class=\"bad\">FAILED: x:1: seq 1: modified: &lt;detail&gt;</p>"),
            std::string::npos);
}

// The report of a log holding `entries`, read back from disk.
AuditReport report_of_log(const std::vector<AuditEntry>& entries) {
  ::medgate::testing::TempDir dir;
  {
    AuditChain chain(AuditChainOptions{dir.path(), 1 << 20, 0, {}}, crypto::Ed25519Key::generate());
    EXPECT_TRUE(chain.open().ok());
    EXPECT_TRUE(chain.append(entries, "2026-11-23T00:00:00.000Z").ok());
  }
  AuditReport r;
  std::size_t unreadable = 0;
  EXPECT_TRUE(for_each_entry(
                  dir.path(),
                  [&](const AuditLine& e, std::string_view, const EntryPlace&) {
                    r.add(e);
                    return true;
                  },
                  unreadable)
                  .ok());
  return r;
}

// Handle openings (a target reading a record's encrypted contact in clear)
// are found by the record filters and counted per day, target and field.
TEST_F(AuditReportTest, HandleOpeningsAreQueriedLikeRecordsAndCounted) {
  ::medgate::testing::TempDir dir;
  {
    AuditChain chain(AuditChainOptions{dir.path(), 1 << 20, 0, {}}, key_);
    ASSERT_TRUE(chain.open().ok());
    ASSERT_TRUE(chain.append({record("r3", "sms", "outreach", 0, 0)}, "2026-11-23T00:00:00.000Z").ok());
    ASSERT_TRUE(chain.append_handle_open({"sms", "r3", "his", "tok-r3", "channels.phone_handle", "k1"}).ok());
    ASSERT_TRUE(chain.append_handle_open({"sms", "r5", "his", "tok-r5", "channels.phone_handle", "k1"}).ok());
    ASSERT_TRUE(chain.append_handle_open({"wechat", "r5", "his", "tok-r5", "channels.wechat_openid_handle", "k1"}).ok());
  }
  auto found = [&](const AuditQuery& q) {
    Ids ids;
    std::string day;
    std::size_t unreadable = 0;
    EXPECT_TRUE(for_each_entry(
                    dir.path(),
                    [&](const AuditLine& e, std::string_view, const EntryPlace& place) {
                      if (!matches(q, e)) return true;
                      if (e.type == EntryType::handle_open) {
                        ids.push_back("open:" + e.handle.record_id + "/" + e.handle.target);
                        day = e.time.substr(0, 10);
                        if (e.handle.record_id == "r5" && e.handle.target == "sms") {  // how one reads on a terminal
                          const std::string text = format_entry(e, place);
                          EXPECT_EQ(text.substr(text.find("  handle")),
                                    "  handle opened by target sms: record r5  his  patient tok-r5  field "
                                    "channels.phone_handle  key k1  (audit-00000001.ndjson:4)\n");
                        }
                      } else {
                        ids.push_back(e.type == EntryType::record ? e.record.record_id + "/" + e.record.target
                                                                  : entry_type_name(e.type));
                      }
                      return true;
                    },
                    unreadable)
                    .ok());
    return std::make_pair(ids, day);
  };
  EXPECT_EQ(found({}).first, (Ids{"r3/sms", "open:r3/sms", "open:r5/sms", "open:r5/wechat"}));
  AuditQuery q;
  q.patient_token = "tok-r5";
  EXPECT_EQ(found(q).first, (Ids{"open:r5/sms", "open:r5/wechat"}));
  q = {};
  q.record_id = "r3";
  EXPECT_EQ(found(q).first, (Ids{"r3/sms", "open:r3/sms"}));
  q = {};
  q.target = "wechat";
  EXPECT_EQ(found(q).first, (Ids{"open:r5/wechat"}));
  q = {};
  q.rule = "channels.phone_handle";  // the field that held the handle
  EXPECT_EQ(found(q).first, (Ids{"open:r3/sms", "open:r5/sms"}));
  q.source = "inbox";
  EXPECT_TRUE(found(q).first.empty());

  const std::string day = found({}).second;  // openings carry the time they were written
  ASSERT_EQ(day.size(), 10u);
  AuditReport r;
  std::size_t unreadable = 0;
  ASSERT_TRUE(for_each_entry(
                  dir.path(),
                  [&](const AuditLine& e, std::string_view, const EntryPlace&) {
                    if (matches({}, e)) r.add(e);
                    return true;
                  },
                  unreadable)
                  .ok());
  EXPECT_EQ(r.records(), 1u);  // openings are not records
  const std::string csv = report_csv(r);
  EXPECT_NE(csv.find("\n" + day + ",sms,,,channels.phone_handle,handle_open,2,0,0\n" + day +
                     ",wechat,,,channels.wechat_openid_handle,handle_open,1,0,0\n"),
            std::string::npos)
      << csv;
  const std::string html = report_html(r, ReportPage{});
  EXPECT_NE(html.find("<tr><td>" + day + "</td><td>sms</td><td>channels.phone_handle</td><td class=\"n\">2</td></tr>"),
            std::string::npos);
  EXPECT_NE(report_html(report(), ReportPage{}).find("<h2>Encrypted handles opened</h2>"), std::string::npos);
  EXPECT_NE(report_html(report(), ReportPage{}).find("<p>None in this period.</p>"), std::string::npos);
}

TEST(AuditReportCsv, QuotesCellsThatNeedIt) {
  const std::string csv = report_csv(report_of_log({record("r1", "t", "a,\"b\"", 0, 0)}));
  EXPECT_NE(csv.find("2026-11-23,t,\"a,\"\"b\"\"\",1,*,*,1"), std::string::npos) << csv;
}

TEST(AuditReportCsv, CellsAFormulaWouldStartWithStayText) {
  const std::string csv = report_csv(report_of_log({record("r1", "=HYPERLINK(\"http://x\")", "@p", 0, 0)}));
  EXPECT_NE(csv.find("2026-11-23,\"'=HYPERLINK(\"\"http://x\"\")\",\"'@p\",1,*,*,1"), std::string::npos) << csv;
}

}  // namespace
}  // namespace medgate::audit
