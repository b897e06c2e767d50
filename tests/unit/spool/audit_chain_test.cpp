#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../temp_dir.h"
#include "audit/audit_chain.h"
#include "crypto/digest.h"

namespace medgate::audit {
namespace {

std::vector<std::string> read_lines(const std::string& dir) {
  std::vector<std::string> files, lines;
  for (const auto& e : std::filesystem::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  return lines;
}

// An independent check of the documented rule:
// hash = hex(SHA-256(prev || "\n" || line-without-hash)), prev = previous hash.
std::string verify(const std::vector<std::string>& lines) {
  std::string prev = AuditChain::kGenesis;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    auto h = l.rfind(",\"hash\":\"");
    if (h == std::string::npos) return "entry " + std::to_string(i + 1) + " has no hash";
    std::string body = l.substr(0, h) + "}";
    std::string hash = l.substr(h + 9, 64);
    if (body.find("\"prev\":\"" + prev + "\"") == std::string::npos) return "entry " + std::to_string(i + 1) + " breaks the chain";
    if (crypto::to_hex(crypto::sha256(prev + "\n" + body)) != hash) return "entry " + std::to_string(i + 1) + " was modified";
    prev = hash;
  }
  return "";
}

AuditEntry entry(int n) {
  static const std::string path = "subject.phone", method = "token", key = "k1", scrub = "scrub", notes = "notes";
  AuditEntry e{"rec" + std::to_string(n), "inbox", "analytics", "tok" + std::to_string(n), "analytics-strict", 3, {}};
  e.actions.push_back({&path, &method, &key, {}});
  e.actions.push_back({&notes, &scrub, nullptr, {{"PHONE", 2}, {"ID", 1}}});
  return e;
}

TEST(AuditChain, EntriesFormAVerifiableChainAcrossRestartsAndSegments) {
  testing::TempDir dir;
  {
    AuditChain chain(dir.path(), 600);  // small segments: several files
    ASSERT_TRUE(chain.open().ok());
    ASSERT_TRUE(chain.append({entry(1), entry(2)}, "2026-11-23T00:00:00.000Z").ok());
    ASSERT_TRUE(chain.append({entry(3)}, "2026-11-23T00:00:01.000Z").ok());
  }
  {
    AuditChain chain(dir.path(), 600);
    ASSERT_TRUE(chain.open().ok());
    ASSERT_TRUE(chain.append({entry(4), entry(5)}, "2026-11-23T00:00:02.000Z").ok());
  }
  auto lines = read_lines(dir.path());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(verify(lines), "");
  EXPECT_NE(lines[4].find("\"seq\":5"), std::string::npos);
  EXPECT_NE(lines[0].find("\"found\":{\"PHONE\":2,\"ID\":1}"), std::string::npos);
  EXPECT_GT(std::distance(std::filesystem::directory_iterator(dir.path()), std::filesystem::directory_iterator()), 1);

  // The check itself can fail: a modified field, and a swap, are both caught.
  auto tampered = lines;
  tampered[1].replace(tampered[1].find("rec2"), 4, "recX");
  EXPECT_EQ(verify(tampered), "entry 2 was modified");
  auto swapped = lines;
  std::swap(swapped[1], swapped[2]);
  EXPECT_EQ(verify(swapped), "entry 2 breaks the chain");
}

}  // namespace
}  // namespace medgate::audit
