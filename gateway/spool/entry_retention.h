// Retention for the stores kept as one NDJSON file per name in a directory,
// each line an object whose "time" (RFC 3339) says when it was appended: the
// quarantine (per source) and the dead-letter queue (per target). Entries are
// appended in time order, so the ones to remove are each file's first lines.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "medgate/sdk/status.h"

namespace medgate::spool {

// Asked by a store just before it removes `count` entries of `name` (a
// source's quarantine, a target's dead letters): the removal goes ahead only
// when it answers Ok, and nothing is removed otherwise. The gateway writes
// the audit entry of the removal here, so no entry leaves a store without
// one (audit first, as for records).
using BeforeRemoval = std::function<sdk::Status(const std::string& name, std::size_t count)>;

// Removes from every DIR/NAME.ndjson the leading entries written before
// `cutoff`, and unreadable lines among them (an unreadable line after the
// last old entry stays), rewriting the file atomically. Each file is read
// only up to its first entry that is kept. `before` is asked for each file
// before it is rewritten; a refusal leaves that file and the ones after it
// as they are and is returned. `removed` gets (NAME, lines removed) for each
// file that shrank, also when a later file fails. The caller holds whatever
// lock keeps its appends out meanwhile.
sdk::Status remove_entries_older_than(const std::string& dir, std::chrono::system_clock::time_point cutoff,
                                      const BeforeRemoval& before,
                                      std::vector<std::pair<std::string, std::size_t>>& removed);

}  // namespace medgate::spool
