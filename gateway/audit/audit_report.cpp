#include "audit/audit_report.h"

namespace medgate::audit {
namespace {

// RFC 4180 quoting; and a cell a spreadsheet would run as a formula (it
// starts with = + - @, a tab or a carriage return) gets a leading ' so it
// stays text (OWASP "CSV injection"). Names in the audit log come from the
// config, but a report is also written for a log that fails verification.
std::string csv_cell(const std::string& s) {
  const bool formula = !s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos;
  if (!formula && s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = formula ? "\"'" : "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string html(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string count_of(const ReportCounts& c, const std::string& type) {
  auto it = c.found.find(type);
  return it == c.found.end() ? "0" : std::to_string(it->second);
}

constexpr const char* kStyle = R"(body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #bbb;padding:.3em .6em;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#eee}
.ok{color:#135f13}.bad{color:#a00000;font-weight:700}.meta{color:#555})";

}  // namespace

void AuditReport::add(const AuditLine& e) {
  if (e.type == EntryType::handle_open) {
    ++opens_[OpenKey{e.time.substr(0, 10), e.handle.target, e.handle.field}];
    return;
  }
  if (e.type != EntryType::record) return;
  const auto& r = e.record;
  Group& g = groups_[GroupKey{e.time.substr(0, 10), r.target, r.policy, r.policy_version}];
  ++g.total.records;
  ++records_;
  if (first_time_.empty() || e.time < first_time_) first_time_ = e.time;
  if (e.time > last_time_) last_time_ = e.time;
  std::set<RuleKey> seen;
  for (const auto& f : r.fields) {
    ReportCounts& rule = g.rules[RuleKey{f.path, f.method}];
    if (seen.insert({f.path, f.method}).second) ++rule.records;
    for (const auto& [type, n] : f.found) {
      const auto count = static_cast<std::uint64_t>(n);
      rule.found[type] += count;
      g.total.found[type] += count;
      types_.insert(type);
    }
  }
}

std::string report_csv(const AuditReport& report) {
  std::string out = "day,target,policy,policy_version,field,method,records";
  for (const auto& t : report.finding_types()) out += "," + csv_cell("found_" + t);
  out += "\n";
  auto row = [&](const AuditReport::GroupKey& k, const std::string& path, const std::string& method,
                 const ReportCounts& c) {
    const auto& [day, target, policy, version] = k;
    out += csv_cell(day) + "," + csv_cell(target) + "," + csv_cell(policy) + "," + std::to_string(version) + "," +
           csv_cell(path) + "," + csv_cell(method) + "," + std::to_string(c.records);
    for (const auto& t : report.finding_types()) out += "," + count_of(c, t);
    out += "\n";
  };
  for (const auto& [key, group] : report.groups()) {
    row(key, "*", "*", group.total);
    for (const auto& [rule, counts] : group.rules) row(key, rule.first, rule.second, counts);
  }
  for (const auto& [key, n] : report.handle_opens()) {
    const auto& [day, target, field] = key;
    out += csv_cell(day) + "," + csv_cell(target) + ",,," + csv_cell(field) + ",handle_open," + std::to_string(n);
    for (std::size_t i = 0; i < report.finding_types().size(); ++i) out += ",0";
    out += "\n";
  }
  return out;
}

std::string report_html(const AuditReport& report, const ReportPage& page) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>medgate audit report</title>\n<style>";
  out += kStyle;
  out +=
      "</style>\n</head>\n<body>\n<h1>medgate audit report</h1>\n<p class=\"meta\">Audit log: " + html(page.log_dir) +
      "<br>\nGenerated: " + html(page.generated_at) + "<br>\nPeriod: " + html(page.period) +
      "<br>\nRecords counted: " + std::to_string(report.records());
  if (report.records()) out += " (from " + html(report.first_time()) + " to " + html(report.last_time()) + ")";
  out += "</p>\n<h2>Verification of the log</h2>\n<p class=\"" + std::string(page.intact ? "ok" : "bad") + "\">";
  for (std::size_t i = 0; i < page.verification.size(); ++i) out += (i ? "<br>\n" : "") + html(page.verification[i]);
  out += "</p>\n";

  const auto& types = report.finding_types();
  auto finding_heads = [&] {
    std::string h;
    for (const auto& t : types) h += "<th>found " + html(t) + "</th>";
    return h;
  };
  auto finding_cells = [&](const ReportCounts& c) {
    std::string cells;
    for (const auto& t : types) cells += "<td class=\"n\">" + count_of(c, t) + "</td>";
    return cells;
  };
  out +=
      "<h2>Records per day, target and policy</h2>\n<table>\n<tr><th>day (UTC)</th><th>target</th><th>policy</th>"
      "<th>version</th><th>records</th>" +
      finding_heads() + "</tr>\n";
  for (const auto& [key, group] : report.groups()) {
    const auto& [day, target, policy, version] = key;
    out += "<tr><td>" + html(day) + "</td><td>" + html(target) + "</td><td>" + html(policy) + "</td><td class=\"n\">" +
           std::to_string(version) + "</td><td class=\"n\">" + std::to_string(group.total.records) + "</td>" +
           finding_cells(group.total) + "</tr>\n";
  }
  out +=
      "</table>\n<h2>Rules applied</h2>\n<p class=\"meta\">Per rule (field and method): the records it applied "
      "to, and what scrubbing found in them. Values are never in the audit log.</p>\n<table>\n"
      "<tr><th>day (UTC)</th><th>target</th><th>policy</th><th>version</th><th>field</th><th>method</th>"
      "<th>records</th>" +
      finding_heads() + "</tr>\n";
  for (const auto& [key, group] : report.groups()) {
    const auto& [day, target, policy, version] = key;
    for (const auto& [rule, counts] : group.rules)
      out += "<tr><td>" + html(day) + "</td><td>" + html(target) + "</td><td>" + html(policy) +
             "</td><td class=\"n\">" + std::to_string(version) + "</td><td>" + html(rule.first) + "</td><td>" +
             html(rule.second) + "</td><td class=\"n\">" + std::to_string(counts.records) + "</td>" +
             finding_cells(counts) + "</tr>\n";
  }
  out +=
      "</table>\n<h2>Encrypted handles opened</h2>\n<p class=\"meta\">Contact identifiers an outreach target "
      "read in clear to reach the person (targets with <code>open_handles: true</code>); each opening is one "
      "<code>handle_open</code> entry naming the record.</p>\n";
  if (report.handle_opens().empty()) {
    out += "<p>None in this period.</p>\n";
  } else {
    out += "<table>\n<tr><th>day (UTC)</th><th>target</th><th>field</th><th>openings</th></tr>\n";
    for (const auto& [key, n] : report.handle_opens()) {
      const auto& [day, target, field] = key;
      out += "<tr><td>" + html(day) + "</td><td>" + html(target) + "</td><td>" + html(field) +
             "</td><td class=\"n\">" + std::to_string(n) + "</td></tr>\n";
    }
    out += "</table>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace medgate::audit
