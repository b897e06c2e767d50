// Stage 1, normalize: checks a source's record against the input contract
// (docs/profile-schema.md) and completes the envelope: schema_version,
// record_id (stable: derived from source and source_record_id), source,
// ingested_at.
#pragma once

#include <string>

#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"

namespace medgate::pipeline {

inline constexpr int kProfileSchemaVersion = 1;

class RecordNormalizer {
 public:
  // `ingested_at` is shared by a batch (one clock read per batch).
  sdk::Status normalize(const std::string& source, const std::string& ingested_at, sdk::Value& body) const;
};

// hex(SHA-256(source 0x1f source_record_id))[0:32]
std::string derive_record_id(const std::string& source, const std::string& source_record_id);
bool is_known_event_type(std::string_view t);

}  // namespace medgate::pipeline
