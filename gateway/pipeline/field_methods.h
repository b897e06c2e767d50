// Desensitization methods, registered by name (Envoy-style factories): each
// turns one policy rule into a FieldMethod that transforms the value at the
// rule's field. Adding a method means adding a factory here; the policy
// compiler knows only the registry.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/gateway_config.h"
#include "crypto/key_store.h"
#include "medgate/sdk/status.h"
#include "medgate/sdk/value.h"

namespace medgate::pipeline {

// What one rule did to one record, for the audit log. Never holds values.
struct FieldAction {
  const std::string* path = nullptr;    // the rule's field (owned by the compiled policy)
  const std::string* method = nullptr;  // the method name
  const std::string* key_id = nullptr;  // key used, or nullptr
  std::vector<std::pair<std::string, int>> found;  // scrub: placeholder type -> count
};

// The record being desensitized, for methods that need context.
struct RecordContext {
  const sdk::Value& record;  // the whole normalized input record
};

class FieldMethod {
 public:
  virtual ~FieldMethod() = default;
  // Transforms `in` (never null) into `out` (a null Value to fill; leaving it
  // null writes nothing). Records findings in `action`.
  virtual void apply(const sdk::Value& in, const RecordContext& ctx, sdk::Value& out, FieldAction& action) const = 0;
  // True when apply() only copies `in` to `out` (keep): the policy then writes
  // `in` itself, without the copy.
  virtual bool passes_input_through() const { return false; }
  // The key id this method uses, if any.
  virtual const std::string* key_id() const { return nullptr; }
};

struct MethodEnv {
  const crypto::KeyStore& keys;
  std::string default_key;  // identity.key
};

using MethodFactory =
    std::function<sdk::Status(const config::PolicyRule&, const MethodEnv&, std::unique_ptr<FieldMethod>&)>;

class MethodRegistry {
 public:
  // The registry with every built-in method.
  static const MethodRegistry& builtin();
  void add(std::string name, MethodFactory factory) { factories_[std::move(name)] = std::move(factory); }
  const MethodFactory* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, MethodFactory> factories_;
};

}  // namespace medgate::pipeline
