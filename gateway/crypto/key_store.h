// Secret keys by id, read from the files the config names. A key file holds
// the key as hex text (at least 64 hex digits = 32 bytes; surrounding white
// space ignored), e.g. made with `openssl rand -hex 32 > FILE; chmod 600 FILE`.
// Key material is never logged or printed.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/gateway_config.h"
#include "crypto/deterministic_cipher.h"
#include "crypto/keyed_hash.h"
#include "medgate/sdk/status.h"

namespace medgate::crypto {

class KeyStore {
 public:
  // Reads and checks every key (permissions, format). Reports the first problem.
  sdk::Status load(const std::vector<config::KeyConfig>& keys);
  // The hasher for a key id, or nullptr when unknown.
  const KeyedHasher* hasher(const std::string& id) const;
  bool has(const std::string& id) const { return hashers_.count(id) != 0; }
  // The key bytes, for deriving purpose-specific keys; nullptr when unknown.
  const std::string* secret(const std::string& id) const;
  // The AES-SIV cipher keyed from the key (derived, never the HMAC key itself).
  const DeterministicCipher* cipher(const std::string& id) const;
  // A retired key verifies old tokens and opens old handles but makes nothing new.
  bool retired(const std::string& id) const { return retired_.count(id) != 0; }
  // Opens a handle made by the encrypt method with any loaded key, retired or
  // not. invalid_argument when it does not open (modified, unknown key);
  // unavailable when OpenSSL could not do the work (out of memory).
  sdk::Status open_handle(std::string_view handle, std::string& plain) const;

 private:
  std::map<std::string, std::unique_ptr<KeyedHasher>> hashers_;
  std::map<std::string, std::unique_ptr<DeterministicCipher>> ciphers_;
  std::map<std::string, std::string> secrets_;
  std::set<std::string> retired_;
};

// Reads a key file (hex text) into raw bytes; checks permissions first.
sdk::Status read_key_file(const std::string& path, std::string& key_bytes);

}  // namespace medgate::crypto
