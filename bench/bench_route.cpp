#include "bench_route.h"

#include <cstdlib>
#include <iostream>

namespace medgate::bench {

BenchRoute::BenchRoute(const std::string& program, const std::string& usage, int argc, char** argv) {
  std::string config_path, route_name;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (a == "--route" && i + 1 < argc) {
      route_name = argv[++i];
    } else {
      std::cerr << "usage: " << program << " --config FILE [--route NAME]" << usage << "\n";
      std::exit(2);
    }
  }
  if (config_path.empty()) {
    std::cerr << program << ": --config FILE is required\n";
    std::exit(2);
  }
  config::Diagnostics diags;
  checked_ = runtime::check_config(config_path, registry_, diags);
  if (!checked_) {
    diags.print(std::cerr);
    std::exit(1);
  }
  const config::RouteConfig* route = nullptr;
  for (const auto& r : checked_->config.routes)
    if (route_name.empty() || r.name == route_name) {
      route = &r;  // the first route, or the one named
      break;
    }
  if (!route) {
    std::cerr << program << ": no route '" << route_name << "'\n";
    std::exit(1);
  }
  const auto& cfg = checked_->config;
  for (const auto& t : route->to) destinations_.push_back({t, checked_->policies.at(route->policy).get(), nullptr});
  source_ = route->from.front();
  identifier_ =
      std::make_unique<pipeline::PatientIdentifier>(*checked_->keys->hasher(cfg.identity.key), cfg.identity.fields);
  transformer_ = std::make_unique<pipeline::RecordTransformer>(normalizer_, *identifier_);
}

}  // namespace medgate::bench
