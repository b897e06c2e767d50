// The factories of the built-in desensitization methods, one file each;
// MethodRegistry::builtin() registers them by name.
#pragma once

#include "pipeline/field_methods.h"

namespace medgate::pipeline::methods {

sdk::Status make_keep(const config::PolicyRule&, const MethodEnv&, std::unique_ptr<FieldMethod>&);
sdk::Status make_drop(const config::PolicyRule&, const MethodEnv&, std::unique_ptr<FieldMethod>&);
sdk::Status make_token(const config::PolicyRule&, const MethodEnv&, std::unique_ptr<FieldMethod>&);
sdk::Status make_mask(const config::PolicyRule&, const MethodEnv&, std::unique_ptr<FieldMethod>&);
sdk::Status make_encrypt(const config::PolicyRule&, const MethodEnv&, std::unique_ptr<FieldMethod>&);
sdk::Status make_generalize(const config::PolicyRule&, const MethodEnv&, std::unique_ptr<FieldMethod>&);
sdk::Status make_date_shift(const config::PolicyRule&, const MethodEnv&, std::unique_ptr<FieldMethod>&);
sdk::Status make_scrub(const config::PolicyRule&, const MethodEnv&, std::unique_ptr<FieldMethod>&);

// The key a rule names (`key:`, default identity.key), checked to be loaded
// and, for methods that make new values, not retired.
sdk::Status active_key(const config::PolicyRule& rule, const MethodEnv& env, std::string& key_id);

}  // namespace medgate::pipeline::methods
