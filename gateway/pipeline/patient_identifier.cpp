#include "pipeline/patient_identifier.h"

#include "medgate/sdk/json.h"

namespace medgate::pipeline {

std::string identifier_text(const sdk::Value& v) {
  if (v.is_string()) {
    const std::string& s = v.as_string();
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
  }
  if (v.is_number()) return sdk::to_json(v);
  return {};
}

std::string PatientIdentifier::identify(sdk::Value& body) const {
  for (const auto& field : fields_) {
    const sdk::Value* v = body.at_path(field);
    if (!v) continue;
    std::string text = identifier_text(*v);
    if (text.empty()) continue;
    std::string token = hasher_.token(field, text);
    body["patient"]["token"] = token;
    return token;
  }
  return {};
}

}  // namespace medgate::pipeline
