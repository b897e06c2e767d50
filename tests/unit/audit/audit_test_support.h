// Helpers for the audit tests: a signing key, entries, and editing segment
// files the way an attacker would (including re-computing hashes, which
// needs no key).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_chain.h"
#include "audit/audit_format.h"
#include "audit/audit_line.h"
#include "audit/audit_verifier.h"
#include "crypto/ed25519.h"
#include "temp_dir.h"

namespace medgate::audit::test_support {

inline AuditEntry entry(int n, const std::string& target = "analytics") {
  static const std::string path = "subject.phone", method = "token", key = "k1", scrub = "scrub", notes = "notes";
  AuditEntry e{"rec" + std::to_string(n), "inbox", target, "tok" + std::to_string(n), "analytics-strict", 3, {}};
  e.actions.push_back({&path, &method, &key, {}});
  e.actions.push_back({&notes, &scrub, nullptr, {{"PHONE", 2}, {"ID", 1}}});
  return e;
}

inline std::string segment(const std::string& dir, std::uint64_t n) {
  return dir + "/" + segment_file_name(n);
}

inline std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

inline void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  for (const auto& l : lines) out << l << "\n";
}

inline std::size_t segment_count(const std::string& dir) {
  std::size_t n = 0;
  std::uint64_t number = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    n += parse_segment_file_name(e.path().filename().string(), number);
  return n;
}

// What an attacker without the signing key can do after changing lines:
// re-compute every hash and prev from `from` (an index into all lines of the
// log, in segment order) to the end, so that the hash chain is consistent.
inline void reseal(const std::string& dir, std::size_t from) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::uint64_t n = 0;
    if (parse_segment_file_name(e.path().filename().string(), n)) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::size_t index = 0;
  std::string prev;
  for (const auto& f : files) {
    auto lines = read_lines(f);
    for (auto& l : lines) {
      AuditLine e;
      ASSERT_TRUE(parse_audit_line(l, e).ok()) << l;
      if (index++ >= from && !prev.empty()) {
        std::string body = l.substr(0, e.body_size);
        body.replace(body.size() - 65, 64, prev);  // the prev value: ,"prev":"<64>"
        l = body + ",\"hash\":\"" + entry_hash(prev, body) + "\"}";
        ASSERT_TRUE(parse_audit_line(l, e).ok()) << l;
      }
      prev = e.hash;
    }
    write_lines(f, lines);
  }
}

inline VerifyOptions with_key(const crypto::Ed25519Key& key) {
  VerifyOptions o;
  std::unique_ptr<crypto::Ed25519Key> pub;
  const std::string file = std::filesystem::temp_directory_path() / ("medgate-verify-" + key.fingerprint() + ".pem");
  std::ofstream(file) << key.public_pem();
  EXPECT_TRUE(crypto::Ed25519Key::load_public(file, pub).ok());
  std::filesystem::remove(file);
  o.keys.push_back(std::move(pub));
  return o;
}

// "FILE:LINE: seq N: KIND: detail" without the directory part of FILE.
inline std::string problem(const VerifyReport& r) {
  if (!r.problem) return "intact";
  VerifyProblem p = *r.problem;
  p.file = std::filesystem::path(p.file).filename().string();
  return p.text();
}

}  // namespace medgate::audit::test_support
