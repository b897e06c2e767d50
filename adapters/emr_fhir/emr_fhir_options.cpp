#include "emr_fhir_options.h"

#include <medgate/sdk/secrets.h>

#include <algorithm>

namespace medgate::emr_fhir {
namespace {
using sdk::OptionType;
using sdk::Status;
using sdk::Value;

bool split_mapping(const std::string& entry, std::string& system, std::string& member) {
  auto eq = entry.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size()) return false;
  system = entry.substr(0, eq);
  member = entry.substr(eq + 1);
  return true;
}
}  // namespace

sdk::OptionList EmrFhirOptions::declare() {
  return {
      {"path", OptionType::string, "path on the HTTP ingress (config ingress:) where FHIR requests are accepted",
       Value("/fhir"), false},
      {"retry_after", OptionType::duration, "Retry-After of 503 answers while the gateway refuses input",
       Value(5000), false},
      {"identifier_systems", OptionType::string_list,
       "Identifier.system URIs and the subject member each becomes, as SYSTEM=member, e.g. "
       "urn:oid:2.16.156.10011.1.3=resident_id; replaces the defaults (docs/adapters/emr_fhir.md)",
       Value(Value::Array{}), false},
      {"default_utc_offset", OptionType::string, "UTC offset of FHIR dateTime values that carry none", Value("+08:00"),
       false},
      {"source_system", OptionType::string, "encounter.source_system of the records (which hospital system)",
       Value("emr"), false},
      {"icd10_systems", OptionType::string_list,
       "Coding.system URIs whose codes count as ICD-10 diagnoses; empty: the defaults (docs/adapters/emr_fhir.md)",
       Value(Value::Array{}), false},
      {"poll_url", OptionType::string, "base URL of a FHIR server to poll (http or https); empty: push only",
       Value(""), false},
      {"poll_types", OptionType::string_list, "resource types to poll; empty: every supported type",
       Value(Value::Array{}), false},
      {"poll_interval", OptionType::duration, "pause between polling passes", Value(60'000), false},
      {"poll_bearer_token_file", OptionType::path, "file holding the bearer token for the FHIR server (mode 0600)",
       Value(""), false},
      {"poll_page_size", OptionType::integer, "_count of each search page", Value(100), false},
      {"poll_since", OptionType::string, "FHIR instant to start from on the first pass; empty: everything",
       Value(""), false},
  };
}

Status EmrFhirOptions::validate(const sdk::PluginConfig& c) {
  const std::string& path = c.get_string("path");
  if (path.size() < 2 || path[0] != '/' || path.back() == '/')
    return Status::Invalid("path must start with '/' and not end with '/', e.g. /fhir");
  if (c.get_int("retry_after") < 1000) return Status::Invalid("retry_after must be at least 1s");
  for (const auto& entry : c.get_list("identifier_systems")) {
    std::string system, member;
    if (!split_mapping(entry, system, member))
      return Status::Invalid("identifier_systems entry '" + entry +
                             "' must be SYSTEM=member, e.g. urn:oid:2.16.156.10011.1.3=resident_id");
  }
  const std::string& url = c.get_string("poll_url");
  if (!url.empty() && !url.starts_with("http://") && !url.starts_with("https://"))
    return Status::Invalid("poll_url must start with http:// or https://");
  if (!url.empty() && url.back() == '/') return Status::Invalid("poll_url must not end with '/'");
  for (const auto& t : c.get_list("poll_types"))
    if (std::find(supported_resource_types().begin(), supported_resource_types().end(), t) ==
        supported_resource_types().end())
      return Status::Invalid("poll_types: '" + t + "' is not a supported resource type");
  if (c.get_int("poll_page_size") < 1 || c.get_int("poll_page_size") > 1000)
    return Status::Invalid("poll_page_size must be between 1 and 1000");
  if (c.get_int("poll_interval") < 1000) return Status::Invalid("poll_interval must be at least 1s");
  if (const std::string& f = c.get_string("poll_bearer_token_file"); !f.empty())
    if (Status s = sdk::check_secret_file(f, "poll_bearer_token_file"); !s.ok()) return s;
  return check_fhir_mapping_options(from(c).mapping);
}

EmrFhirOptions EmrFhirOptions::from(const sdk::PluginConfig& c) {
  EmrFhirOptions o;
  o.path = c.get_string("path");
  o.retry_after_seconds = static_cast<int>(c.get_int("retry_after") / 1000);
  o.mapping = default_fhir_mapping_options();
  if (auto list = c.get_list("identifier_systems"); !list.empty()) {
    o.mapping.identifier_systems.clear();
    for (const auto& entry : list) {
      std::string system, member;
      if (split_mapping(entry, system, member)) o.mapping.identifier_systems[system] = member;
    }
  }
  o.mapping.default_utc_offset = c.get_string("default_utc_offset");
  o.mapping.source_system = c.get_string("source_system");
  if (auto list = c.get_list("icd10_systems"); !list.empty()) o.mapping.icd10_systems = {list.begin(), list.end()};
  o.poll.base_url = c.get_string("poll_url");
  o.poll.resource_types = c.get_list("poll_types");
  if (o.poll.resource_types.empty()) o.poll.resource_types = supported_resource_types();
  o.poll.interval = std::chrono::milliseconds(c.get_int("poll_interval"));
  o.poll.bearer_token_file = c.get_string("poll_bearer_token_file");
  o.poll.page_size = static_cast<int>(c.get_int("poll_page_size"));
  o.poll.since = c.get_string("poll_since");
  return o;
}

}  // namespace medgate::emr_fhir
