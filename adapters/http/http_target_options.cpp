#include "http_target_options.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "medgate/sdk/secrets.h"

namespace medgate::http_adapter {
namespace {

using sdk::Status;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// RFC 9110 token characters.
bool is_token_char(unsigned char c) {
  return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

constexpr std::int64_t kMinTimeoutMs = 100;
constexpr std::int64_t kMaxTimeoutMs = 10 * 60 * 1000;
constexpr std::int64_t kMinBody = 1024;
constexpr std::int64_t kMaxBody = std::int64_t{1} << 30;

}  // namespace

sdk::OptionList HttpTargetOptions::declare() {
  using sdk::OptionType;
  using sdk::Value;
  return {
      {"url", OptionType::string, "endpoint that receives the batches (http:// or https://, no credentials)", Value(),
       true},
      {"secret_file", OptionType::path,
       "file holding the HMAC-SHA256 key that signs every request (mode 0600 or stricter)", Value(), true},
      {"timeout", OptionType::duration, "connect, send and receive timeout of one request", Value(std::int64_t{10'000}),
       false},
      {"ca_file", OptionType::path, "PEM file of CA certificates to trust for https (default: the system store)",
       Value(), false},
      {"verify_tls", OptionType::boolean, "verify the server's certificate and host name (https)", Value(true), false},
      {"headers", OptionType::string_list,
       "extra request headers, each \"Name: value\"; X-Medgate-*, Content-Type, Host and credentials are refused",
       Value(Value::array()), false},
      {"bearer_token_file", OptionType::path,
       "file holding a token sent as \"Authorization: Bearer TOKEN\" (mode 0600 or stricter)", Value(), false},
      {"max_body", OptionType::size, "largest request body; larger batches are split, a larger record is rejected",
       Value(std::int64_t{8} << 20), false},
  };
}

Status parse_endpoint(const std::string& url, Endpoint& out) {
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& e) {
    return Status::Invalid("url is not a valid URL: " + e.message());
  }
  const std::string scheme = lower(uri.getScheme());
  if (scheme != "http" && scheme != "https") return Status::Invalid("url must start with http:// or https://");
  if (uri.getHost().empty()) return Status::Invalid("url has no host");
  if (!uri.getUserInfo().empty())
    return Status::Invalid("url must not carry credentials; use bearer_token_file for an Authorization header");
  if (!uri.getFragment().empty()) return Status::Invalid("url must not have a #fragment");
  out.https = scheme == "https";
  out.host = uri.getHost();
  out.port = uri.getPort();  // the scheme's port when the URL names none
  if (out.port == 0) out.port = out.https ? 443 : 80;
  out.path_and_query = uri.getPathAndQuery();
  if (out.path_and_query.empty() || out.path_and_query[0] != '/') out.path_and_query = "/" + out.path_and_query;
  return Status::Ok();
}

Status parse_header(const std::string& entry, std::pair<std::string, std::string>& out) {
  auto colon = entry.find(':');
  if (colon == std::string::npos || colon == 0)
    return Status::Invalid("headers: \"" + entry + "\" is not \"Name: value\"");
  std::string name = entry.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), [](unsigned char c) { return is_token_char(c); }))
    return Status::Invalid("headers: \"" + name + "\" is not a valid header name");
  std::string value = entry.substr(colon + 1);
  auto first = value.find_first_not_of(" \t");
  value = first == std::string::npos ? std::string() : value.substr(first, value.find_last_not_of(" \t") - first + 1);
  if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos)
    return Status::Invalid("headers: the value of " + name + " contains a line break");
  const std::string n = lower(name);
  if (n.starts_with("x-medgate-"))
    return Status::Invalid("headers: " + name + " is set by the plugin (X-Medgate-* names are reserved)");
  if (n == "authorization" || n == "proxy-authorization" || n == "cookie")
    return Status::Invalid("headers: " + name +
                           " would put a credential in the config; use bearer_token_file (secrets live in files)");
  for (const char* reserved : {"content-type", "content-length", "transfer-encoding", "host", "connection",
                               "user-agent", "expect", "te", "upgrade"})
    if (n == reserved) return Status::Invalid("headers: " + name + " is set by the plugin");
  out = {std::move(name), std::move(value)};
  return Status::Ok();
}

Status HttpTargetOptions::validate(const sdk::PluginConfig& c) {
  Endpoint endpoint;
  if (Status s = parse_endpoint(c.get_string("url"), endpoint); !s.ok()) return s;
  std::string secret;
  if (Status s = sdk::read_secret_file(c.get_string("secret_file"), secret, "secret_file"); !s.ok()) return s;
  if (c.has("bearer_token_file")) {
    std::string token;
    if (Status s = sdk::read_secret_file(c.get_string("bearer_token_file"), token, "bearer_token_file"); !s.ok())
      return s;
    if (token.find_first_of("\r\n") != std::string::npos)
      return Status::Invalid("bearer_token_file must hold a single line");
  }
  if (c.has("ca_file")) {
    const std::string& ca = c.get_string("ca_file");
    struct stat st {};
    if (::stat(ca.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || ::access(ca.c_str(), R_OK) != 0)
      return Status::Invalid("ca_file " + ca + " is not a readable file");
  }
  std::int64_t timeout = c.get_int("timeout");
  if (timeout < kMinTimeoutMs || timeout > kMaxTimeoutMs)
    return Status::Invalid("timeout must be between 100ms and 10m");
  std::int64_t max_body = c.get_int("max_body");
  if (max_body < kMinBody || max_body > kMaxBody) return Status::Invalid("max_body must be between 1KiB and 1GiB");
  for (const std::string& h : c.get_list("headers")) {
    std::pair<std::string, std::string> parsed;
    if (Status s = parse_header(h, parsed); !s.ok()) return s;
  }
  return Status::Ok();
}

HttpTargetOptions HttpTargetOptions::from(const sdk::PluginConfig& c) {
  HttpTargetOptions o;
  o.url = c.get_string("url");
  o.secret_file = c.get_string("secret_file");
  o.timeout = std::chrono::milliseconds(c.get_int("timeout"));
  if (c.has("ca_file")) o.ca_file = c.get_string("ca_file");
  o.verify_tls = c.get_bool("verify_tls");
  for (const std::string& h : c.get_list("headers")) {
    std::pair<std::string, std::string> parsed;
    if (parse_header(h, parsed).ok()) o.headers.push_back(std::move(parsed));
  }
  if (c.has("bearer_token_file")) o.bearer_token_file = c.get_string("bearer_token_file");
  o.max_body = static_cast<std::uint64_t>(c.get_int("max_body"));
  return o;
}

}  // namespace medgate::http_adapter
