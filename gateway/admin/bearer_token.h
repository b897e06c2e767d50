// Bearer tokens read from files, for the admin API (admin.tokens) and the
// HTTP ingress (ingress.tokens): the file rules and the constant-time match.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/status.h"

namespace medgate::admin {

inline constexpr std::size_t kMinTokenLength = 16;

// Reads one token file (permissions checked as for every secret, never
// logged): one token of at least kMinTokenLength characters without spaces.
// `what` names the file's role in errors ("admin token file").
sdk::Status read_bearer_token(const std::string& file, std::string_view what, std::string& out);

// Which of `tokens` an Authorization header value carries ("Bearer T", the
// scheme case-insensitive), or npos. Every token is compared in constant time.
std::size_t match_bearer(const std::vector<std::string>& tokens, std::string_view authorization);

}  // namespace medgate::admin
