// The per-record part of the data path, stages 1-3 plus the audit entries:
// normalize -> identify -> desensitize (once per destination). Pure: touches
// no disk, so the pipeline, the benchmark and tests run exactly this code.
#pragma once

#include <string>
#include <vector>

#include "audit/audit_chain.h"
#include "pipeline/desensitizer.h"
#include "pipeline/patient_identifier.h"
#include "pipeline/record_normalizer.h"
#include "spool/target_spool.h"

namespace medgate::pipeline {

// One destination of a source's records: a target, its policy and its spool.
struct RouteTarget {
  std::string target;
  const CompiledPolicy* policy = nullptr;
  spool::TargetSpool* spool = nullptr;
};

// One record's outputs, one per destination, in destination order.
struct TransformedRecord {
  std::vector<spool::SpoolEntry> outputs;
  std::vector<audit::AuditEntry> audits;
};

class RecordTransformer {
 public:
  RecordTransformer(const RecordNormalizer& normalizer, const PatientIdentifier& identifier)
      : normalizer_(normalizer), identifier_(identifier) {}

  // Transforms `body` (normalized in place) for every destination. On error
  // `out` is left empty and the status says why (the record is quarantined).
  sdk::Status transform(const std::string& source, const std::string& ingested_at, sdk::Value& body,
                        const std::vector<RouteTarget>& destinations, TransformedRecord& out) const;

 private:
  const RecordNormalizer& normalizer_;
  const PatientIdentifier& identifier_;
};

}  // namespace medgate::pipeline
