// The file source: ingests every complete line of every `*.ndjson` file in an
// inbox directory exactly once, in file-name order, resuming after restarts.
// Writers create `NAME.ndjson.part` (or a hidden file) and rename it when done;
// a file that is still being appended to is read up to its last '\n'.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "inbox_cursor.h"
#include "line_mapper.h"
#include "medgate/sdk/plugin.h"

namespace medgate::file_adapter {

struct FileSourceOptions {
  std::string path;
  std::chrono::milliseconds poll_interval{500};
  std::size_t batch_max = 1000;
  std::size_t max_line_bytes = 1 << 20;
  Format format = Format::detect;

  static sdk::OptionList declare();
  static sdk::Status validate(const sdk::PluginConfig& config);
  static FileSourceOptions from(const sdk::PluginConfig& config);  // config already validated
};

struct FileSourceCounters {
  std::uint64_t emitted = 0;      // records the gateway accepted
  std::uint64_t rejected = 0;     // records the gateway quarantined itself
  std::uint64_t quarantined = 0;  // lines this source quarantined
};

class FileSource : public sdk::Source {
 public:
  explicit FileSource(FileSourceOptions options) : options_(std::move(options)) {}

  sdk::Status run(sdk::SourceContext& ctx) override;

  // One pass over the inbox: reads every file up to its last complete line.
  // `progressed` tells whether any line was consumed; a non-ok status means
  // a batch was refused or a file could not be read, and the pass stopped
  // there (nothing after the last acknowledged line is lost).
  struct Pass {
    sdk::Status status;
    bool progressed = false;
  };
  // Loads the cursor store the first time; run() is this in a loop.
  Pass poll_once(sdk::SourceContext& ctx);

  const FileSourceCounters& counters() const noexcept { return counters_; }

 private:
  sdk::Status open_cursor(sdk::SourceContext& ctx);
  Pass read_file(sdk::SourceContext& ctx, const std::string& name);
  sdk::Status commit(sdk::SourceContext& ctx, const std::string& name, const FilePosition& pos,
                     std::vector<sdk::Record>& batch, FileSourceCounters& file_counters);

  FileSourceOptions options_;
  std::unique_ptr<InboxCursor> cursor_;
  FileSourceCounters counters_;
};

}  // namespace medgate::file_adapter
