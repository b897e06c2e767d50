// Writes the Prometheus text exposition format (version 0.0.4): one
// # HELP / # TYPE pair per family, then its samples. Label values are escaped
// (backslash, double quote, newline); metric and label names are the
// caller's constants.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "admin/latency_histogram.h"

namespace medgate::admin {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

class PrometheusText {
 public:
  // type: counter, gauge or histogram. Call before the family's samples.
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, const Labels& labels, double value);
  void histogram(std::string_view name, const Labels& labels, const LatencyHistogram::Snapshot& h);
  const std::string& text() const { return out_; }

 private:
  void labels(const Labels& labels, std::string_view extra_name = {}, std::string_view extra_value = {});
  std::string out_;
};

}  // namespace medgate::admin
