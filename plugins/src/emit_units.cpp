#include "medgate/sdk/emit_units.h"

#include <algorithm>

namespace medgate::sdk {

// The key function keeps UnitEmitter's type_info in this library, so the
// cross cast below works across the plugin boundary (as http_ingress()).
UnitEmitter::~UnitEmitter() = default;

EmitResult emit_units(SourceContext& ctx, std::vector<Record> records, std::vector<std::size_t> unit_sizes) {
  if (auto* emitter = dynamic_cast<UnitEmitter*>(&ctx))
    return emitter->emit_units(std::move(records), std::move(unit_sizes));
  return {Status::Precondition("this source context cannot emit in units (host older than SDK 1.4?)"), {}};
}

std::size_t committed_records(const std::vector<std::size_t>& unit_sizes,
                              const std::vector<EmitResult::Rejection>& rejected) {
  std::size_t committed = 0, first = 0;
  for (std::size_t size : unit_sizes) {
    const std::size_t end = first + size;
    if (std::none_of(rejected.begin(), rejected.end(), [&](const auto& r) { return r.index >= first && r.index < end; }))
      committed += size;
    first = end;
  }
  return committed;
}

}  // namespace medgate::sdk
