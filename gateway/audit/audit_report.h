// Counts for compliance reporting (medgatectl audit report): per UTC day,
// target and policy, the records audited and, per rule (field path and
// method), the records it applied to and what scrubbing found, by type; and
// per UTC day, target and field, the encrypted handles the target opened.
// Written as CSV or as a standalone HTML page.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "audit/audit_line.h"

namespace medgate::audit {

struct ReportCounts {
  std::uint64_t records = 0;
  std::map<std::string, std::uint64_t> found;  // placeholder type -> count
};

class AuditReport {
 public:
  // Counts one entry; entries other than records and handle openings are ignored.
  void add(const AuditLine& entry);

  // day, target, policy, policy version
  using GroupKey = std::tuple<std::string, std::string, std::string, std::int64_t>;
  using RuleKey = std::pair<std::string, std::string>;  // field path, method
  struct Group {
    ReportCounts total;
    std::map<RuleKey, ReportCounts> rules;
  };
  const std::map<GroupKey, Group>& groups() const noexcept { return groups_; }
  using OpenKey = std::tuple<std::string, std::string, std::string>;  // day, target, field
  const std::map<OpenKey, std::uint64_t>& handle_opens() const noexcept { return opens_; }
  const std::set<std::string>& finding_types() const noexcept { return types_; }
  std::uint64_t records() const noexcept { return records_; }
  const std::string& first_time() const noexcept { return first_time_; }
  const std::string& last_time() const noexcept { return last_time_; }

 private:
  std::map<GroupKey, Group> groups_;
  std::map<OpenKey, std::uint64_t> opens_;
  std::set<std::string> types_;
  std::uint64_t records_ = 0;
  std::string first_time_, last_time_;
};

// day,target,policy,policy_version,field,method,records,found_TYPE...; per
// group first a row with field and method "*" (all records of the group),
// then one row per rule. Then one row per day, target and field where the
// target opened handles: policy and version empty, method "handle_open",
// records = the openings.
std::string report_csv(const AuditReport& report);

// What the HTML page says besides the counts.
struct ReportPage {
  std::string log_dir;
  std::string generated_at;
  std::string period;                     // e.g. "all entries" or "from X until Y"
  bool intact = false;                    // the verification verdict
  std::vector<std::string> verification;  // its lines (see audit::describe)
};
std::string report_html(const AuditReport& report, const ReportPage& page);

}  // namespace medgate::audit
