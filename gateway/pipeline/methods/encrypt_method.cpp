// encrypt: a deterministic, reversible handle (AES-SIV, see
// crypto/deterministic_cipher.h) for outreach targets that must later reach
// the person, e.g. an SMS target opening a phone handle. The same value gives
// the same handle under one key, so it links like a token. Analytics policies
// may not use it (the policy compiler refuses): a handle is reversible.
#include "crypto/key_store.h"
#include "pipeline/methods/builtin_methods.h"
#include "pipeline/methods/method_params.h"
#include "pipeline/patient_identifier.h"

namespace medgate::pipeline::methods {
namespace {
class EncryptMethod : public FieldMethod {
 public:
  EncryptMethod(const crypto::DeterministicCipher& c, std::string key_id) : cipher_(c), key_id_(std::move(key_id)) {}
  void apply(const sdk::Value& in, const RecordContext&, sdk::Value& out, FieldAction&) const override {
    if (in.is_array()) {
      sdk::Value::Array arr;
      for (const auto& e : in.as_array())
        if (std::string t = identifier_text(e); !t.empty()) arr.emplace_back(handle(t));
      out = sdk::Value(std::move(arr));
      return;
    }
    if (std::string t = identifier_text(in); !t.empty()) out = handle(t);
  }
  const std::string* key_id() const override { return &key_id_; }

 private:
  std::string handle(const std::string& plain) const {
    return crypto::format_handle(key_id_, cipher_.seal(key_id_, plain));
  }
  const crypto::DeterministicCipher& cipher_;
  std::string key_id_;
};
}  // namespace

sdk::Status make_encrypt(const config::PolicyRule& rule, const MethodEnv& env, std::unique_ptr<FieldMethod>& out) {
  Params p(rule, {"key"});
  std::string key;
  if (auto s = p.check_unknown(); !s.ok()) return s;
  if (auto s = active_key(rule, env, key); !s.ok()) return s;
  out = std::make_unique<EncryptMethod>(*env.keys.cipher(key), key);
  return sdk::Status::Ok();
}

}  // namespace medgate::pipeline::methods
