// What the transform benchmarks set up from their command line,
// `--config FILE [--route NAME]`: the checked config, the route (the first,
// or the one named), its destinations and the per-record stages, built as
// medgated builds them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/record_transformer.h"
#include "runtime/checked_config.h"

namespace medgate::bench {

class BenchRoute {
 public:
  // On a bad command line or config, prints why (prefixed with `program`,
  // with `usage` after the options) and exits: 2 for usage, 1 for the config.
  BenchRoute(const std::string& program, const std::string& usage, int argc, char** argv);
  BenchRoute(const BenchRoute&) = delete;
  BenchRoute& operator=(const BenchRoute&) = delete;

  const runtime::CheckedConfig& checked() const { return *checked_; }
  const config::GatewayConfig& config() const { return checked_->config; }
  const std::vector<pipeline::RouteTarget>& destinations() const { return destinations_; }
  // The route's first source: the one the records are said to come from.
  const std::string& source() const { return source_; }
  const pipeline::RecordTransformer& transformer() const { return *transformer_; }

 private:
  plugin_host::PluginRegistry registry_;  // before checked_: its policies may use plugin code
  std::optional<runtime::CheckedConfig> checked_;
  std::vector<pipeline::RouteTarget> destinations_;
  std::string source_;
  pipeline::RecordNormalizer normalizer_;
  std::unique_ptr<pipeline::PatientIdentifier> identifier_;
  std::unique_ptr<pipeline::RecordTransformer> transformer_;
};

}  // namespace medgate::bench
