#include "pipeline/patient_identifier.h"

#include <stdexcept>

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

std::string PatientIdentifier::token_of(const sdk::Value& body, std::string_view prefix) const {
  for (const auto& field : fields_) {
    std::string path = field;
    if (!prefix.empty()) {
      auto dot = path.rfind('.');
      path.insert(dot == std::string::npos ? 0 : dot + 1, prefix);
    }
    const sdk::Value* v = body.at_path(path);
    if (!v) continue;
    std::string text = identifier_text(*v);
    if (text.empty()) continue;
    return hasher_.token(field, text);  // the domain is the field the identifier normally sits in
  }
  return {};
}

std::string PatientIdentifier::identify(sdk::Value& body) const {
  std::string token = token_of(body, "");
  if (token.empty()) return {};
  if (links_) {
    const sdk::Value* type = body.find("event_type");
    if (type && type->is_string() && type->as_string() == "merge") {
      std::string prior = token_of(body, "prior_");
      if (!prior.empty() && prior != token)
        if (sdk::Status s = links_->link(prior, token); !s.ok())
          throw std::runtime_error("cannot record the patient merge: " + s.message());
    }
    token = links_->resolve(token);
  }
  body["patient"]["token"] = token;
  return token;
}

}  // namespace medgate::pipeline
