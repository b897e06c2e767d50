#include "admin/bearer_token.h"

#include <openssl/crypto.h>

#include <cctype>

#include "medgate/sdk/secrets.h"

namespace medgate::admin {

sdk::Status read_bearer_token(const std::string& file, std::string_view what, std::string& out) {
  if (sdk::Status s = sdk::read_secret_file(file, out, what, 4096); !s.ok()) return s;
  if (out.size() < kMinTokenLength || out.find_first_of(" \t\r\n") != std::string::npos)
    return sdk::Status::Invalid(std::string(what) + " " + file + " must hold one token of at least " +
                                std::to_string(kMinTokenLength) +
                                " characters without spaces (make one with `openssl rand -hex 32`)");
  return sdk::Status::Ok();
}

std::size_t match_bearer(const std::vector<std::string>& tokens, std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size()) return std::string::npos;
  for (std::size_t i = 0; i < kScheme.size(); ++i)  // the scheme is case-insensitive (RFC 9110 11.1)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return std::string::npos;
  std::string_view given = authorization.substr(kScheme.size());
  std::size_t match = std::string::npos;
  for (std::size_t i = 0; i < tokens.size(); ++i)  // compare with every token, in constant time per token
    if (tokens[i].size() == given.size() && CRYPTO_memcmp(tokens[i].data(), given.data(), given.size()) == 0)
      match = i;
  return match;
}

}  // namespace medgate::admin
