// Pulls FHIR R4 resources from a FHIR server: for each configured resource
// type, GET {base}/{Type}?_lastUpdated=ge{cursor}&_sort=_lastUpdated&_count=N,
// following link[next] page by page. Each page's resources are mapped and
// emitted; the cursor (the newest meta.lastUpdated seen, and the ids seen at
// exactly that instant, so that "ge" neither skips nor repeats them) is saved
// in STATE/sources/<name>/fhir-cursor.json after every durable page. Bearer
// auth from a secret file; failures back off exponentially (1 s .. 5 min).
#pragma once

#include <medgate/sdk/plugin.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fhir_profile_mapper.h"

namespace medgate::emr_fhir {

struct FhirPollerOptions {
  std::string base_url;  // e.g. http://fhir.example/fhir (http or https)
  std::vector<std::string> resource_types;
  std::chrono::milliseconds interval{60'000};
  std::string bearer_token_file;  // empty: no Authorization header
  int page_size = 100;
  std::string since;  // initial cursor (FHIR instant); empty: everything
  std::chrono::milliseconds timeout{30'000};
};

// What the poller has read so far, per resource type.
struct PollCursor {
  std::string last_updated;    // newest meta.lastUpdated read ("" before the first)
  std::set<std::string> ids;   // resources read with exactly that lastUpdated
};

class FhirPoller {
 public:
  FhirPoller(FhirPollerOptions options, const FhirMappingOptions& mapping)
      : options_(std::move(options)), mapping_(mapping) {}

  // Loads the cursors from `state_dir` and the bearer token; errors are fatal config problems.
  sdk::Status open(const std::string& state_dir);
  // One pass over every resource type, all pages; returns the first failure
  // (the pass stops there; what was emitted before is kept).
  sdk::Status poll_once(sdk::SourceContext& ctx);
  // Polls every interval until stop; backs off after failures.
  void run(sdk::SourceContext& ctx);

  const std::map<std::string, PollCursor>& cursors() const { return cursors_; }
  std::uint64_t emitted() const { return emitted_; }

 private:
  sdk::Status poll_type(sdk::SourceContext& ctx, const std::string& type);
  sdk::Status fetch(const std::string& url, sdk::Value& bundle) const;
  sdk::Status save_cursors() const;

  FhirPollerOptions options_;
  FhirMappingOptions mapping_;
  std::string token_;
  std::string cursor_path_;
  std::map<std::string, PollCursor> cursors_;
  std::uint64_t emitted_ = 0;
};

}  // namespace medgate::emr_fhir
