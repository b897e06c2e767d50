// Bundles in, OperationOutcomes and response Bundles out.
#include <array>

#include "fhir_elements.h"
#include "fhir_profile_mapper.h"

namespace medgate::emr_fhir {
namespace {

using sdk::Value;

constexpr std::array<std::string_view, 3> kBundleTypes = {"transaction", "batch", "collection"};

std::string entry_path(std::size_t i) {
  return "Bundle.entry[" + std::to_string(i) + "]";
}

// Every Patient of the Bundle under "Patient/<id>" and its entry's fullUrl;
// the first one wins when two claim the same key.
PatientIndex index_patients(const Value::Array& entries) {
  PatientIndex index;
  for (const Value& e : entries) {
    const Value* r = e.find("resource");
    if (!r || !r->is_object() || r->string_or("resourceType", "") != "Patient") continue;
    if (std::string_view id = r->string_or("id", ""); !id.empty())
      index.by_reference.emplace("Patient/" + std::string(id), *r);
    if (std::string_view url = e.string_or("fullUrl", ""); !url.empty())
      index.by_reference.emplace(std::string(url), *r);
  }
  return index;
}

BundleEntryResult map_entry(const Value& entry, std::size_t i, const PatientIndex& patients,
                            const FhirMappingOptions& options) {
  BundleEntryResult out;
  std::string path = entry_path(i);
  auto refuse = [&](const char* code, std::string expression, std::string diagnostics) {
    out.result.issues.push_back({code, std::move(expression), std::move(diagnostics)});
    return out;
  };
  if (!entry.is_object())
    return refuse(kStructure, path, path + " must be an object, not " + std::string(sdk::type_name(entry.type())));
  out.full_url = entry.string_or("fullUrl", "");
  const Value* resource = entry.find("resource");
  if (resource && resource->is_object()) {
    out.resource_type = shown_type(resource->string_or("resourceType", ""));
    if (out.resource_type == "(not shown)") out.resource_type.clear();
    if (std::string_view id = resource->string_or("id", ""); is_fhir_id(id, 256)) out.id = id;
  }
  if (const Value* request = entry.find("request"); request && request->is_object()) {
    std::string_view method = request->string_or("method", "");
    if (!method.empty() && method != "POST" && method != "PUT") {
      out.result.unsupported = true;
      return refuse(kNotSupported, path + ".request.method",
                    path +
                        ".request.method must be POST or PUT: the gateway takes resources in; it does not read, "
                        "search, patch or delete");
    }
  }
  if (!resource || resource->is_null()) return refuse(kRequired, path + ".resource", path + ".resource is missing");
  out.result = map_resource(*resource, patients, options);
  return out;
}

Value issue_json(const FhirIssue& issue) {
  Value i = Value::object();
  i["severity"] = "error";
  i["code"] = issue.code;
  if (!issue.diagnostics.empty()) i["diagnostics"] = issue.diagnostics;
  if (!issue.expression.empty()) i["expression"] = Value(Value::Array{Value(issue.expression)});
  return i;
}

// An entry's issue rooted at the entry: "Patient.birthDate" ->
// "Bundle.entry[2].resource.birthDate"; Bundle paths stay as they are.
std::string rooted(std::string_view expression, const BundleEntryResult& entry, std::size_t i) {
  if (expression.starts_with("Bundle.")) return std::string(expression);
  std::string root = entry_path(i) + ".resource";
  if (expression.empty()) return root;
  const std::string& type = entry.resource_type;
  if (!type.empty() && expression.starts_with(type) &&
      (expression.size() == type.size() || expression[type.size()] == '.'))
    return root + std::string(expression.substr(type.size()));
  return root + "." + std::string(expression);
}

}  // namespace

std::vector<BundleEntryResult> map_bundle(const Value& bundle, const FhirMappingOptions& options,
                                          std::vector<FhirIssue>& bundle_issues) {
  std::vector<BundleEntryResult> results;
  if (!bundle.is_object()) {
    bundle_issues.push_back(
        {kStructure, "Bundle", std::string("a Bundle must be a JSON object, not ") + sdk::type_name(bundle.type())});
    return results;
  }
  if (bundle.string_or("resourceType", "") != "Bundle") {
    bundle_issues.push_back({kValue, "resourceType", "resourceType must be Bundle"});
    return results;
  }
  const Value* type = bundle.find("type");
  if (!type || !type->is_string()) {
    bundle_issues.push_back({kRequired, "Bundle.type", "Bundle.type is missing or not a string"});
    return results;
  }
  bool known = false;
  for (std::string_view t : kBundleTypes) known = known || type->as_string() == t;
  if (!known) {
    bundle_issues.push_back({kNotSupported, "Bundle.type",
                             "Bundle.type must be transaction, batch or collection (documents, messages, search "
                             "results and histories are not taken in)"});
    return results;
  }
  const Value* entries = bundle.find("entry");
  if (!entries || entries->is_null()) return results;
  if (!entries->is_array()) {
    bundle_issues.push_back({kStructure, "Bundle.entry",
                             std::string("Bundle.entry must be an array, not ") + sdk::type_name(entries->type())});
    return results;
  }
  PatientIndex patients = index_patients(entries->as_array());
  results.reserve(entries->as_array().size());
  for (std::size_t i = 0; i < entries->as_array().size(); ++i)
    results.push_back(map_entry(entries->as_array()[i], i, patients, options));
  return results;
}

Value operation_outcome(const std::vector<FhirIssue>& issues) {
  Value::Array list;
  for (const FhirIssue& issue : issues) list.push_back(issue_json(issue));
  if (list.empty()) {
    Value i = Value::object();
    i["severity"] = "information";
    i["code"] = "informational";
    i["diagnostics"] = "no issues";
    list.push_back(std::move(i));
  }
  Value outcome = Value::object();
  outcome["resourceType"] = "OperationOutcome";
  outcome["issue"] = Value(std::move(list));
  return outcome;
}

Value bundle_outcome(const std::vector<FhirIssue>& bundle_issues, const std::vector<BundleEntryResult>& entries) {
  std::vector<FhirIssue> all = bundle_issues;
  for (std::size_t i = 0; i < entries.size(); ++i)
    for (const FhirIssue& issue : entries[i].result.issues)
      all.push_back({issue.code, rooted(issue.expression, entries[i], i), issue.diagnostics});
  return operation_outcome(all);
}

Value response_bundle(const std::string& bundle_type, const std::vector<BundleEntryResult>& entries) {
  Value::Array list;
  for (const BundleEntryResult& e : entries) {
    Value response = Value::object();
    if (e.result.ok()) {
      response["status"] = "201 Created";
      if (!e.resource_type.empty() && !e.id.empty()) response["location"] = e.resource_type + "/" + e.id;
    } else {
      response["status"] = "400 Bad Request";
      response["outcome"] = operation_outcome(e.result.issues);
    }
    Value entry = Value::object();
    entry["response"] = std::move(response);
    list.push_back(std::move(entry));
  }
  Value bundle = Value::object();
  bundle["resourceType"] = "Bundle";
  bundle["type"] = bundle_type;
  bundle["entry"] = Value(std::move(list));
  return bundle;
}

}  // namespace medgate::emr_fhir
