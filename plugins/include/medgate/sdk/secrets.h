// Secrets (keys, passwords, tokens) live in files the config names, never
// inline. A secret file must be a regular file that neither group nor others
// can access. Plugins use these for their own secrets (e.g. a `password_file`
// option); the host uses them for its keys and admin tokens.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "medgate/sdk/status.h"

#define MEDGATE_SDK_API __attribute__((visibility("default")))

namespace medgate::sdk {

// Ok when `path` is a regular, readable file with no group/other permissions;
// otherwise an error naming the file (as `what`, e.g. "key file") and the fix,
// never its contents.
MEDGATE_SDK_API Status check_secret_file(const std::string& path, std::string_view what = "secret file");

// check_secret_file, then the contents with trailing whitespace (the newline
// editors add) removed. Refuses files larger than `max_bytes` and empty ones.
MEDGATE_SDK_API Status read_secret_file(const std::string& path, std::string& out,
                                        std::string_view what = "secret file", std::size_t max_bytes = 64 * 1024);

}  // namespace medgate::sdk
