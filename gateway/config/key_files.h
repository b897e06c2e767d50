// Secrets (keys, admin tokens) live in files the config names, never inline.
// A secret file must be a regular file that neither group nor others can read.
#pragma once

#include <string>

#include "medgate/sdk/status.h"

namespace medgate::config {

// Ok when `path` is a regular, readable file with no group/other permissions;
// otherwise an error naming the file and the fix (never its contents).
sdk::Status check_key_file(const std::string& path);

}  // namespace medgate::config
