// token: HMAC-SHA256(key, field path 0x1f value) as lowercase hex, truncated.
// The same raw value always gives the same token under one key, so records
// link without the value; a list gives a list of tokens.
#include "crypto/keyed_hash.h"
#include "pipeline/methods/builtin_methods.h"
#include "pipeline/methods/method_params.h"
#include "pipeline/patient_identifier.h"

namespace medgate::pipeline::methods {
namespace {
class TokenMethod : public FieldMethod {
 public:
  TokenMethod(std::string domain, const crypto::KeyedHasher& h, std::string key_id, std::size_t len)
      : domain_(std::move(domain)), hasher_(h), key_id_(std::move(key_id)), len_(len) {}
  void apply(const sdk::Value& in, const RecordContext&, sdk::Value& out, FieldAction&) const override {
    if (in.is_array()) {
      sdk::Value::Array arr;
      for (const auto& e : in.as_array())
        if (std::string t = identifier_text(e); !t.empty()) arr.emplace_back(hasher_.token(domain_, t, len_));
      out = sdk::Value(std::move(arr));
      return;
    }
    if (std::string t = identifier_text(in); !t.empty()) out = hasher_.token(domain_, t, len_);
  }
  const std::string* key_id() const override { return &key_id_; }

 private:
  std::string domain_;
  const crypto::KeyedHasher& hasher_;
  std::string key_id_;
  std::size_t len_;
};
}  // namespace

sdk::Status active_key(const config::PolicyRule& rule, const MethodEnv& env, std::string& key_id) {
  if (auto s = Params(rule, {"key"}).string("key", env.default_key, key_id); !s.ok()) return s;
  if (!env.keys.has(key_id))
    return sdk::Status::Invalid("method '" + rule.method + "' names key '" + key_id +
                                "', which is not declared under keys:");
  if (env.keys.retired(key_id))
    return sdk::Status::Invalid("method '" + rule.method + "' names key '" + key_id +
                                "', which is retired (it verifies old tokens and opens old handles but makes "
                                "nothing new); name an active key");
  return sdk::Status::Ok();
}

sdk::Status make_token(const config::PolicyRule& rule, const MethodEnv& env, std::unique_ptr<FieldMethod>& out) {
  Params p(rule, {"key", "length"});
  std::string key;
  std::int64_t len;
  if (auto s = p.check_unknown(); !s.ok()) return s;
  if (auto s = active_key(rule, env, key); !s.ok()) return s;
  if (auto s = p.integer("length", 32, 16, 64, len); !s.ok()) return s;
  out = std::make_unique<TokenMethod>(rule.field, *env.keys.hasher(key), key, static_cast<std::size_t>(len));
  return sdk::Status::Ok();
}

}  // namespace medgate::pipeline::methods
