// libFuzzer target: the audit log's line parser. medgatectl audit verify,
// query and report read every line of a log that may have been tampered with,
// so any input must either parse or be refused with a reason; a parsed line
// must have the shape the hash rule relies on (its body ends with the prev
// member, and the rest is exactly the hash member).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "audit/audit_line.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  medgate::audit::AuditLine e;
  medgate::sdk::Status s = medgate::audit::parse_audit_line(text, e);
  if (!s.ok()) {
    if (s.message().empty()) std::abort();  // every refusal says why
    return 0;
  }
  if (e.seq < 1 || e.prev.size() != 64 || e.hash.size() != 64 || e.body_size >= text.size()) std::abort();
  const std::string prev_member = ",\"prev\":\"" + e.prev + "\"";
  const std::string_view body = text.substr(0, e.body_size);
  if (body.size() < prev_member.size() || body.substr(body.size() - prev_member.size()) != prev_member) std::abort();
  if (text.substr(e.body_size) != ",\"hash\":\"" + e.hash + "\"}") std::abort();
  if (medgate::audit::is_signed(e.type) && e.checkpoint.sig.empty() && e.retention.sig.empty()) std::abort();
  medgate::audit::AuditLine again;  // parsing is deterministic
  if (!medgate::audit::parse_audit_line(text, again).ok() || again.seq != e.seq || again.hash != e.hash) std::abort();
  return 0;
}
