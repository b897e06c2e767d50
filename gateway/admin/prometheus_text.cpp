#include "admin/prometheus_text.h"

#include <charconv>
#include <cmath>

namespace medgate::admin {
namespace {
void append_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out.push_back(c);
  }
}

// The shortest form that reads back as `v` (79348438, 1.5, 1e-04), or with
// `fixed`, never an exponent (0.0001).
void append_value(std::string& out, double v, bool fixed = false) {
  if (std::isnan(v)) { out += "NaN"; return; }
  if (std::isinf(v)) { out += v > 0 ? "+Inf" : "-Inf"; return; }
  char buf[32];
  auto r = fixed ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                 : std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
}  // namespace

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_.push_back(' ');
  for (char c : help) {  // HELP escapes backslash and newline only
    if (c == '\\') out_ += "\\\\";
    else if (c == '\n') out_ += "\\n";
    else out_.push_back(c);
  }
  out_ += "\n# TYPE ";
  out_ += name;
  out_.push_back(' ');
  out_ += type;
  out_.push_back('\n');
}

void PrometheusText::labels(const Labels& labels, std::string_view extra_name, std::string_view extra_value) {
  if (labels.empty() && extra_name.empty()) return;
  out_.push_back('{');
  bool first = true;
  auto one = [&](std::string_view n, std::string_view v) {
    if (!first) out_.push_back(',');
    first = false;
    out_ += n;
    out_ += "=\"";
    append_escaped(out_, v);
    out_.push_back('"');
  };
  for (const auto& [n, v] : labels) one(n, v);
  if (!extra_name.empty()) one(extra_name, extra_value);
  out_.push_back('}');
}

void PrometheusText::sample(std::string_view name, const Labels& l, double value) {
  out_ += name;
  labels(l);
  out_.push_back(' ');
  append_value(out_, value);
  out_.push_back('\n');
}

void PrometheusText::histogram(std::string_view name, const Labels& l, const LatencyHistogram::Snapshot& h) {
  std::string bucket = std::string(name) + "_bucket";
  for (std::size_t i = 0; i < h.cumulative.size(); ++i) {
    std::string le;
    append_value(le, (*h.bounds)[i], /*fixed=*/true);  // le="0.0001", not "1e-04"
    out_ += bucket;
    labels(l, "le", le);
    out_.push_back(' ');
    append_value(out_, static_cast<double>(h.cumulative[i]));
    out_.push_back('\n');
  }
  out_ += bucket;
  labels(l, "le", "+Inf");
  out_.push_back(' ');
  append_value(out_, static_cast<double>(h.count));
  out_.push_back('\n');
  sample(std::string(name) + "_sum", l, h.sum_seconds);
  sample(std::string(name) + "_count", l, static_cast<double>(h.count));
}

}  // namespace medgate::admin
