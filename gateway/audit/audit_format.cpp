#include "audit/audit_format.h"

#include <cstdio>

#include "crypto/digest.h"

namespace medgate::audit {

std::string segment_file_name(std::uint64_t n) {
  char name[48];
  std::snprintf(name, sizeof name, "audit-%08llu.ndjson", static_cast<unsigned long long>(n));
  return name;
}

bool parse_segment_file_name(std::string_view name, std::uint64_t& n) {
  constexpr std::string_view prefix = "audit-", suffix = ".ndjson";
  if (name.size() < prefix.size() + 8 + suffix.size() || name.substr(0, prefix.size()) != prefix ||
      name.substr(name.size() - suffix.size()) != suffix)
    return false;
  std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 19) return false;
  n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return n > 0 && segment_file_name(n) == name;  // one spelling per number
}

std::string entry_hash(std::string_view prev, std::string_view body) {
  std::string hashed;
  hashed.reserve(prev.size() + body.size() + 2);
  hashed.append(prev);
  hashed.push_back('\n');
  hashed.append(body);
  hashed.push_back('}');
  return crypto::to_hex(crypto::sha256(hashed));
}

std::string checkpoint_statement(std::uint64_t seq, std::string_view time, std::string_view reason,
                                 std::uint64_t first_seq, std::uint64_t last_seq, std::string_view prev) {
  std::string s = std::string(kFormat) + " checkpoint\n";
  s += "seq=" + std::to_string(seq) + "\n";
  s += "time=" + std::string(time) + "\n";
  s += "reason=" + std::string(reason) + "\n";
  s += "covers=" + std::to_string(first_seq) + "-" + std::to_string(last_seq) + "\n";
  s += "prev=" + std::string(prev) + "\n";
  return s;
}

std::string retention_statement(const RetentionStatement& r) {
  std::string s = std::string(kFormat) + " retention\n";
  s += "seq=" + std::to_string(r.seq) + "\n";
  s += "time=" + r.time + "\n";
  s += "removed_segments=" + std::to_string(r.first_segment) + "-" + std::to_string(r.last_segment) + "\n";
  s += "removed_seqs=" + std::to_string(r.first_seq) + "-" + std::to_string(r.last_seq) + "\n";
  s += "kept_segment=" + std::to_string(r.kept_segment) + "\n";
  s += "kept_seq=" + std::to_string(r.kept_seq) + "\n";
  s += "kept_prev=" + r.kept_prev + "\n";
  s += "prev=" + r.prev + "\n";
  return s;
}

}  // namespace medgate::audit
