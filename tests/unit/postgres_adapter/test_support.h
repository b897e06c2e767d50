// Shared by the postgres target's tests: configs with the declared defaults,
// and profile-shaped deliveries.
#pragma once

#include <functional>
#include <string>

#include "../temp_dir.h"
#include "medgate/sdk/plugin.h"
#include "medgate/sdk/value.h"
#include "medgate/testkit/fake_target_context.h"
#include "medgate/testkit/plugin_config.h"
#include "postgres_target_options.h"

namespace medgate::testing {

inline sdk::PluginConfig pg_config(const sdk::Value& overrides) {
  return testkit::config_with_defaults(postgres_adapter::PostgresTargetOptions::declare(), overrides);
}

// 32 lowercase hex digits derived from `n`, like the gateway's record ids and tokens.
inline std::string hex32(const std::string& seed, int n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  unsigned long x = std::hash<std::string>{}(seed + std::to_string(n));
  for (int i = 0; i < 32; ++i) {
    out += digits[x & 0xf];
    x = x * 6364136223846793005ul + 1442695040888963407ul;
  }
  return out;
}

// A desensitized profile record as the gateway delivers it; `extra` is
// appended verbatim inside the top-level object (e.g. ",\"notes\":[...]").
inline std::string profile_json(int n, const std::string& occurred_at = "2026-05-05T08:34:00+08:00",
                                const std::string& extra = "", const std::string& record_id = "") {
  return "{\"schema_version\":1,\"record_id\":\"" + (record_id.empty() ? hex32("record", n) : record_id) +
         "\",\"source\":\"inbox\",\"source_record_id\":\"HIS-" + std::to_string(n) +
         "\",\"event_type\":\"visit\",\"occurred_at\":\"" + occurred_at +
         "\",\"ingested_at\":\"2026-05-05T00:35:12.481Z\",\"patient\":{\"token\":\"" + hex32("patient", n % 7) +
         "\",\"gender\":\"female\",\"region\":{\"province\":\"上海市\"}}" + extra + "}";
}

inline sdk::Delivery profile_delivery(int n) {
  return {"key-" + std::to_string(n), hex32("patient", n % 7), profile_json(n)};
}

}  // namespace medgate::testing
