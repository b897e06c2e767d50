#include "crypto/key_store.h"

#include <cctype>
#include <exception>
#include <fstream>
#include <sstream>

#include "medgate/sdk/secrets.h"

namespace medgate::crypto {
namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

sdk::Status read_key_file(const std::string& path, std::string& key_bytes) {
  if (sdk::Status s = sdk::check_secret_file(path, "key file"); !s.ok()) return s;
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return sdk::Status::Invalid("cannot read key file " + path);
  std::string hex;
  for (char c : text.str())
    if (!std::isspace(static_cast<unsigned char>(c))) hex.push_back(c);
  if (hex.size() < 64 || hex.size() % 2 != 0)
    return sdk::Status::Invalid("key file " + path + " must hold at least 64 hex digits (32 bytes); make one with "
                                "`openssl rand -hex 32 > " + path + "`");
  key_bytes.clear();
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return sdk::Status::Invalid("key file " + path + " holds a character that is not hex");
    key_bytes.push_back(static_cast<char>(hi * 16 + lo));
  }
  return sdk::Status::Ok();
}

sdk::Status KeyStore::load(const std::vector<config::KeyConfig>& keys) {
  for (const auto& k : keys) {
    std::string bytes;
    if (sdk::Status s = read_key_file(k.file, bytes); !s.ok()) return s;
    hashers_[k.id] = std::make_unique<KeyedHasher>(bytes);
    ciphers_[k.id] = std::make_unique<DeterministicCipher>(DeterministicCipher::derive_key(bytes));
    if (k.retired) retired_.insert(k.id);
    secrets_[k.id] = std::move(bytes);
  }
  return sdk::Status::Ok();
}

const KeyedHasher* KeyStore::hasher(const std::string& id) const {
  auto it = hashers_.find(id);
  return it == hashers_.end() ? nullptr : it->second.get();
}

}  // namespace medgate::crypto

namespace medgate::crypto {
const std::string* KeyStore::secret(const std::string& id) const {
  auto it = secrets_.find(id);
  return it == secrets_.end() ? nullptr : &it->second;
}

const DeterministicCipher* KeyStore::cipher(const std::string& id) const {
  auto it = ciphers_.find(id);
  return it == ciphers_.end() ? nullptr : it->second.get();
}

sdk::Status KeyStore::open_handle(std::string_view handle, std::string& plain) const {
  std::string key_id, sealed;
  if (!parse_handle(handle, key_id, sealed)) return sdk::Status::Invalid("not an encrypted handle (mgh1.KEY.DATA)");
  const DeterministicCipher* c = cipher(key_id);
  if (!c) return sdk::Status::Invalid("the handle was made with key '" + key_id + "', which is not loaded");
  bool opened = false;
  try {
    opened = c->open(key_id, sealed, plain);
  } catch (const std::exception& e) {  // not the handle's fault: try again later
    return sdk::Status::Unavailable(std::string("the handle could not be opened now: ") + e.what());
  }
  if (!opened)
    return sdk::Status::Invalid("the handle does not open with key '" + key_id + "' (modified, or another key file)");
  return sdk::Status::Ok();
}
}  // namespace medgate::crypto
