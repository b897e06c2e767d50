// Retention for the stores kept as one NDJSON file per name in a directory,
// each line an object whose "time" (RFC 3339) says when it was appended: the
// quarantine (per source) and the dead-letter queue (per target). Entries are
// appended in time order, so the ones to remove are each file's first lines.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "medgate/sdk/status.h"

namespace medgate::spool {

// Removes from every DIR/NAME.ndjson the leading entries written before
// `cutoff`, and unreadable lines among them (an unreadable line after the
// last old entry stays), rewriting the file atomically. Each file is read
// only up to its first entry that is kept. `removed` gets (NAME, lines
// removed) for each file that shrank, also when a later file fails. The
// caller holds whatever lock keeps its appends out meanwhile.
sdk::Status remove_entries_older_than(const std::string& dir, std::chrono::system_clock::time_point cutoff,
                                      std::vector<std::pair<std::string, std::size_t>>& removed);

}  // namespace medgate::spool
