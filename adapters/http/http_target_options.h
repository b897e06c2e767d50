// The http target's options, declared once (name, type, default,
// description); validation, `from` and the docs table follow this list.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "medgate/sdk/options.h"
#include "medgate/sdk/status.h"

namespace medgate::http_adapter {

inline constexpr const char* kPluginVersion = "1.0.0";

struct HttpTargetOptions {
  std::string url;
  std::string secret_file;
  std::chrono::milliseconds timeout{10'000};
  std::string ca_file;  // empty: the system's CA store
  bool verify_tls = true;
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  std::string bearer_token_file;                             // empty: no Authorization header
  std::uint64_t max_body = 8ull << 20;

  static sdk::OptionList declare();
  static sdk::Status validate(const sdk::PluginConfig& config);
  static HttpTargetOptions from(const sdk::PluginConfig& config);  // config already validated
};

// Parts of a validated `url`.
struct Endpoint {
  bool https = false;
  std::string host;
  std::uint16_t port = 0;      // never 0 once parsed
  std::string path_and_query;  // "/" when the URL has no path
};

// Checks an http(s) URL: scheme http or https, a host, no user info (secrets
// never inline), no fragment.
sdk::Status parse_endpoint(const std::string& url, Endpoint& out);

// Parses one `headers` entry, "Name: value". Refuses names the plugin sets
// itself (X-Medgate-*, Content-Type, Host, ...) and credentials given inline
// (Authorization, Proxy-Authorization, Cookie: use bearer_token_file).
sdk::Status parse_header(const std::string& entry, std::pair<std::string, std::string>& out);

}  // namespace medgate::http_adapter
