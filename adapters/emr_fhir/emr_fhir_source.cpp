#include "emr_fhir_source.h"

#include <medgate/sdk/emit_units.h>
#include <medgate/sdk/json.h>
#include <medgate/sdk/refusal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include "fhir_poller.h"

namespace medgate::emr_fhir {
namespace {
using sdk::HttpRequest;
using sdk::HttpResponse;
using sdk::LogLevel;
using sdk::Status;
using sdk::Value;

constexpr const char* kFhirJson = "application/fhir+json; charset=utf-8";

HttpResponse fhir_response(int status, const Value& body, std::vector<std::pair<std::string, std::string>> headers = {}) {
  return {status, kFhirJson, std::move(headers), sdk::to_json(body) + "\n"};
}

bool is_json_content(const HttpRequest& r) {
  std::string ct = r.header("Content-Type");
  for (auto& c : ct) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ct.empty() || ct.starts_with("application/fhir+json") || ct.starts_with("application/json");
}

// "/fhir/Patient/123" under "/fhir" -> {"Patient", "123"}; more parts -> false.
bool split_path(const std::string& path, const std::string& base, std::string& type, std::string& id) {
  if (path == base) return true;
  std::string rest = path.substr(base.size() + 1);
  auto slash = rest.find('/');
  type = rest.substr(0, slash);
  if (slash != std::string::npos) {
    id = rest.substr(slash + 1);
    if (id.empty() || id.find('/') != std::string::npos) return false;
  }
  return !type.empty();
}

std::string location_of(const Value& resource) {
  std::string type(resource.string_or("resourceType", "")), id(resource.string_or("id", ""));
  if (type.empty() || id.empty()) return {};
  std::string loc = type + "/" + id;
  if (const Value* meta = resource.find("meta"))
    if (std::string_view v = meta->string_or("versionId", ""); !v.empty()) loc += "/_history/" + std::string(v);
  return loc;
}

// The reason stored beside a quarantined body: issue codes and places only.
std::string quarantine_reason(int status, const std::vector<FhirIssue>& issues) {
  std::string r = "HTTP " + std::to_string(status);
  for (std::size_t i = 0; i < issues.size() && i < 5; ++i)
    r += (i ? "; " : ": ") + issues[i].code + (issues[i].expression.empty() ? "" : " at " + issues[i].expression);
  return r;
}
}  // namespace

HttpResponse EmrFhirSource::refuse(const HttpRequest& request, sdk::SourceContext& ctx, int status,
                                   std::vector<FhirIssue> issues) {
  counters_.refused++;
  if (!request.body.empty())
    if (Status q = ctx.quarantine(request.body, quarantine_reason(status, issues)); !q.ok())
      ctx.log(LogLevel::error, "cannot quarantine a refused request (" + q.message() + "); it is answered anyway");
  return fhir_response(status, operation_outcome(issues));
}

HttpResponse EmrFhirSource::unavailable(const Status& why) {
  counters_.deferred++;
  sdk::Refusal refusal = sdk::refusal_for(why, options_.retry_after_seconds);
  std::vector<std::pair<std::string, std::string>> headers;
  if (refusal.retry_after_seconds > 0) headers.emplace_back("Retry-After", std::to_string(refusal.retry_after_seconds));
  return fhir_response(refusal.http_status, operation_outcome({{"transient", "", refusal.message}}), headers);
}

HttpResponse EmrFhirSource::handle(const HttpRequest& request, sdk::SourceContext& ctx) {
  std::string type, id;
  if (!split_path(request.path, options_.path, type, id))
    return fhir_response(404, operation_outcome({{"not-found", "", "no such FHIR endpoint"}}));
  if (request.method == "GET" && type == "metadata" && id.empty()) {
    Value cs = Value::object();
    cs["resourceType"] = "CapabilityStatement";
    cs["status"] = "active";
    cs["kind"] = "instance";
    cs["fhirVersion"] = "4.0.1";
    cs["format"] = Value(Value::Array{Value("application/fhir+json")});
    Value rest = Value::object();
    rest["mode"] = "server";
    Value resources = Value::array();
    for (const auto& t : supported_resource_types()) {
      Value r = Value::object();
      r["type"] = t;
      Value interactions = Value::array();
      for (const char* code : {"create", "update"}) {
        Value i = Value::object();
        i["code"] = code;
        interactions.push_back(std::move(i));
      }
      r["interaction"] = std::move(interactions);
      resources.push_back(std::move(r));
    }
    rest["resource"] = std::move(resources);
    Value interaction = Value::array();
    for (const char* code : {"transaction", "batch"}) {
      Value i = Value::object();
      i["code"] = code;
      interaction.push_back(std::move(i));
    }
    rest["interaction"] = std::move(interaction);
    cs["rest"] = Value(Value::Array{std::move(rest)});
    return fhir_response(200, cs);
  }
  const bool post = request.method == "POST", put = request.method == "PUT";
  if (!(post && id.empty()) && !(put && !type.empty() && !id.empty()))
    return fhir_response(405, operation_outcome({{"not-supported", "", "this endpoint accepts POST of a Bundle or "
                                                                        "a resource and PUT of a resource"}}));
  if (!is_json_content(request))
    return refuse(request, ctx, 415, {{"not-supported", "", "only application/fhir+json is accepted"}});
  Value body;
  if (Status s = sdk::parse_json(request.body, body); !s.ok() || !body.is_object())
    return refuse(request, ctx, 400,
                  {{"structure", "", s.ok() ? std::string("the body is not a JSON object") : s.message()}});
  const std::string resource_type(body.string_or("resourceType", ""));
  if (type.empty()) {
    if (resource_type != "Bundle")
      return refuse(request, ctx, 400, {{"invalid", "resourceType", "POST to the base takes a Bundle"}});
    return bundle(request, body, ctx);
  }
  if (resource_type != type)
    return refuse(request, ctx, 400,
                  {{"invalid", "resourceType", "the resource's resourceType does not match the URL"}});
  if (put && std::string(body.string_or("id", "")) != id)
    return refuse(request, ctx, 400, {{"invalid", type + ".id", "the resource's id does not match the URL"}});
  return one_resource(request, type, id, ctx);
}

FhirMappingOptions EmrFhirSource::pushed_mapping() const {
  FhirMappingOptions o = options_.mapping;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[40];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  o.received_at = buf;
  return o;
}

HttpResponse EmrFhirSource::one_resource(const HttpRequest& request, const std::string& type, const std::string&,
                                         sdk::SourceContext& ctx) {
  Value body;
  sdk::parse_json(request.body, body);  // parsed before; cannot fail now
  FhirMappingResult mapped = map_resource(body, PatientIndex{}, pushed_mapping());
  if (mapped.unsupported)
    return refuse(request, ctx, 404, mapped.issues.empty()
                                         ? std::vector<FhirIssue>{{"not-supported", type, "resource type not supported"}}
                                         : mapped.issues);
  if (!mapped.issues.empty()) return refuse(request, ctx, 422, std::move(mapped.issues));
  const std::size_t n = mapped.records.size();
  sdk::EmitResult r = ctx.emit(std::move(mapped.records));
  if (!r.status.ok()) return unavailable(r.status);
  if (!r.rejected.empty())
    return refuse(request, ctx, 422, {{"processing", type, "refused by the gateway: " + r.rejected.front().reason}});
  counters_.accepted += n;
  std::vector<std::pair<std::string, std::string>> headers;
  if (std::string loc = location_of(body); !loc.empty()) headers.emplace_back("Location", loc);
  return {201, kFhirJson, headers, ""};  // Prefer: return=minimal, FHIR's create answer without a body
}

HttpResponse EmrFhirSource::bundle(const HttpRequest& request, const Value& bundle, sdk::SourceContext& ctx) {
  const std::string bundle_type(bundle.string_or("type", ""));
  std::vector<FhirIssue> bundle_issues;
  std::vector<BundleEntryResult> entries = map_bundle(bundle, pushed_mapping(), bundle_issues);
  if (!bundle_issues.empty()) return refuse(request, ctx, 400, std::move(bundle_issues));

  if (bundle_type == "transaction") {
    // All or nothing: any entry refused refuses the Bundle, and nothing is emitted.
    std::vector<FhirIssue> issues;
    for (const auto& e : entries) issues.insert(issues.end(), e.result.issues.begin(), e.result.issues.end());
    if (!issues.empty()) {
      HttpResponse r = refuse(request, ctx, 422, std::move(issues));
      r.body = sdk::to_json(bundle_outcome({}, entries)) + "\n";  // issues rooted at their entries
      return r;
    }
    std::vector<sdk::Record> records;
    for (auto& e : entries)
      for (auto& rec : e.result.records) records.push_back(std::move(rec));
    const std::size_t n = records.size();
    sdk::EmitResult r = sdk::emit_units(ctx, std::move(records), {n});  // one unit: all or nothing
    if (!r.status.ok()) return unavailable(r.status);
    if (!r.rejected.empty())
      return refuse(request, ctx, 422,
                    {{"processing", "Bundle", std::to_string(r.rejected.size()) + " of " + std::to_string(n) +
                                                  " records refused by the gateway: " + r.rejected.front().reason +
                                                  "; nothing of the Bundle was committed"}});
    counters_.accepted += n;
    return fhir_response(200, response_bundle("transaction-response", entries));
  }

  // batch and collection: entry by entry; good entries are emitted together,
  // each a unit (an entry's records are committed all or nothing).
  std::vector<sdk::Record> records;
  std::vector<std::size_t> owner;  // entry of each record
  std::vector<std::size_t> units;  // records per emitted entry
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].result.issues.empty()) {
      units.push_back(entries[i].result.records.size());
      for (auto& rec : entries[i].result.records) {
        records.push_back(std::move(rec));
        owner.push_back(i);
      }
    }
  bool any_refused = false;
  for (const auto& e : entries) any_refused |= !e.result.issues.empty();
  if (!records.empty()) {
    std::vector<std::size_t> sizes = units;
    sdk::EmitResult r = sdk::emit_units(ctx, std::move(records), std::move(sizes));
    if (!r.status.ok()) return unavailable(r.status);
    for (const auto& rej : r.rejected) {
      entries[owner[rej.index]].result.issues.push_back(
          {"processing", "", "refused by the gateway: " + rej.reason + "; nothing of the entry was committed"});
      any_refused = true;
    }
    counters_.accepted += sdk::committed_records(units, r.rejected);
  }
  if (any_refused) {
    std::vector<FhirIssue> all;
    for (std::size_t i = 0; i < entries.size(); ++i)
      for (const auto& issue : entries[i].result.issues)
        all.push_back({issue.code, "Bundle.entry[" + std::to_string(i) + "]", issue.diagnostics});
    if (Status q = ctx.quarantine(request.body, quarantine_reason(207, all)); !q.ok())
      ctx.log(LogLevel::error, "cannot quarantine a partly refused Bundle: " + q.message());
  }
  return fhir_response(200, response_bundle("batch-response", entries));
}

Status EmrFhirSource::run(sdk::SourceContext& ctx) {
  const bool polling = !options_.poll.base_url.empty();
  std::unique_ptr<FhirPoller> poller;
  if (polling) {
    poller = std::make_unique<FhirPoller>(options_.poll, options_.mapping);
    if (Status s = poller->open(ctx.state_dir()); !s.ok()) return s;
  }
  sdk::HttpIngress* ingress = sdk::http_ingress(ctx);
  sdk::Status mounted = ingress ? ingress->mount(options_.path, [this, &ctx](const HttpRequest& r) {
    return handle(r, ctx);
  })
                                : Status::Precondition("the gateway has no HTTP ingress (config ingress:)");
  if (!mounted.ok() && !polling) return mounted;
  if (mounted.ok()) ctx.log(LogLevel::info, "FHIR R4 endpoint at " + options_.path + " on the HTTP ingress");
  else ctx.log(LogLevel::info, "not receiving FHIR pushes (" + mounted.message() + "); polling only");
  if (polling) {
    ctx.log(LogLevel::info, "polling the FHIR server every " + std::to_string(options_.poll.interval.count() / 1000) +
                                " s for " + std::to_string(options_.poll.resource_types.size()) + " resource types");
    poller->run(ctx);  // returns when stopping
  } else {
    while (!ctx.wait_for_stop(std::chrono::seconds(1))) {
    }
  }
  if (mounted.ok()) ingress->unmount(options_.path);
  ctx.log(LogLevel::info, std::to_string(counters_.accepted.load()) + " resources accepted, " +
                              std::to_string(counters_.refused.load()) + " requests refused, " +
                              std::to_string(counters_.deferred.load()) + " deferred (503)");
  return Status::Ok();
}

}  // namespace medgate::emr_fhir
