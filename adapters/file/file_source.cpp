#include "file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <vector>

#include "line_reader.h"

namespace medgate::file_adapter {
namespace {

namespace fs = std::filesystem;
using sdk::LogLevel;
using sdk::Status;

constexpr const char* kCursorFile = "inbox-cursor.json";

bool is_inbox_file(const std::string& name) {
  constexpr std::string_view kSuffix = ".ndjson";
  return !name.empty() && name[0] != '.' && name.size() > kSuffix.size() && std::string_view(name).ends_with(kSuffix);
}

// Inbox file names in ingestion order; an unreadable inbox is an error.
Status list_inbox(const std::string& dir, std::vector<std::string>& names) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) return Status::Unavailable("cannot list inbox " + dir + ": " + ec.message());
  for (const fs::directory_entry& entry : it) {
    std::string name = entry.path().filename().string();
    if (is_inbox_file(name) && entry.is_regular_file(ec)) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return Status::Ok();
}

class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

std::string count_summary(const FileSourceCounters& c) {
  return std::to_string(c.emitted) + " records emitted, " + std::to_string(c.rejected) + " rejected by the gateway, " +
         std::to_string(c.quarantined) + " lines quarantined";
}

}  // namespace

sdk::OptionList FileSourceOptions::declare() {
  using sdk::OptionType;
  using sdk::Value;
  return {
      {"path", OptionType::path, "inbox directory; every *.ndjson file in it is ingested once", Value(), true},
      {"poll_interval", OptionType::duration, "how often the inbox is scanned for new lines", Value(500), false},
      {"batch_max", OptionType::integer, "records per emitted batch (and per cursor update)", Value(1000), false},
      {"max_line_bytes", OptionType::size, "longer lines are quarantined, not parsed", Value(1 << 20), false},
      {"format", OptionType::string,
       "record shape: auto (per line), profile (input contract as is) or flat (gen_records.py shape)", Value("auto"),
       false},
  };
}

Status FileSourceOptions::validate(const sdk::PluginConfig& c) {
  if (c.get_int("batch_max") < 1) return Status::Invalid("batch_max must be at least 1");
  if (c.get_int("max_line_bytes") < 1024) return Status::Invalid("max_line_bytes must be at least 1024");
  if (c.get_int("poll_interval") < 1) return Status::Invalid("poll_interval must be at least 1ms");
  if (!parse_format(c.get_string("format")))
    return Status::Invalid("format must be auto, profile or flat, not '" + c.get_string("format") + "'");
  return Status::Ok();
}

FileSourceOptions FileSourceOptions::from(const sdk::PluginConfig& c) {
  FileSourceOptions o;
  o.path = c.get_string("path");
  o.poll_interval = std::chrono::milliseconds(c.get_int("poll_interval"));
  o.batch_max = static_cast<std::size_t>(c.get_int("batch_max"));
  o.max_line_bytes = static_cast<std::size_t>(c.get_int("max_line_bytes"));
  o.format = parse_format(c.get_string("format")).value_or(Format::detect);
  return o;
}

Status FileSource::run(sdk::SourceContext& ctx) {
  // A cursor store that cannot be read is reported, not retried forever.
  if (Status s = open_cursor(ctx); !s.ok()) return s;
  bool warned = false;
  while (!ctx.stopping()) {
    Pass pass = poll_once(ctx);
    if (!pass.status.ok()) {
      // Log a lasting problem once, not every poll; a refusal while stopping is expected.
      if (!warned && !ctx.stopping())
        ctx.log(LogLevel::warning, pass.status.message() + "; retrying every poll_interval");
      warned = true;
    } else {
      if (warned) ctx.log(LogLevel::info, "inbox readable and batches accepted again");
      warned = false;
      if (pass.progressed) continue;  // a writer may be appending: look again at once
    }
    if (ctx.wait_for_stop(options_.poll_interval)) break;
  }
  return Status::Ok();
}

Status FileSource::open_cursor(sdk::SourceContext& ctx) {
  if (cursor_) return Status::Ok();
  auto cursor = std::make_unique<InboxCursor>(ctx.state_dir() + "/" + kCursorFile);
  if (Status s = cursor->load(); !s.ok()) return s;
  cursor_ = std::move(cursor);
  std::error_code ec;
  fs::create_directories(options_.path, ec);  // a missing inbox is created, not an error
  return Status::Ok();
}

FileSource::Pass FileSource::poll_once(sdk::SourceContext& ctx) {
  Pass pass;
  if (Status s = open_cursor(ctx); !s.ok()) return {s, false};
  std::vector<std::string> names;
  if (Status s = list_inbox(options_.path, names); !s.ok()) return {s, false};
  if (cursor_->retain_only(std::set<std::string>(names.begin(), names.end()))) {
    if (Status s = cursor_->save(); !s.ok()) return {s, false};
  }
  for (const std::string& name : names) {
    if (ctx.stopping()) break;
    Pass file = read_file(ctx, name);
    pass.progressed = pass.progressed || file.progressed;
    if (!file.status.ok()) {
      pass.status = file.status;
      break;  // keep file-name order: later files wait for this one
    }
  }
  return pass;
}

FileSource::Pass FileSource::read_file(sdk::SourceContext& ctx, const std::string& name) {
  std::string path = options_.path + "/" + name;
  FileHandle fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return {};  // removed since listing
    return {Status::Unavailable("cannot open inbox file " + name + ": " + std::strerror(errno)), false};
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return {Status::Unavailable("cannot stat inbox file " + name + ": " + std::strerror(errno)), false};

  FilePosition pos{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino), 0, 0};
  if (const FilePosition* known = cursor_->find(name)) {
    if (known->device != pos.device || known->inode != pos.inode)
      ctx.log(LogLevel::warning, name + " was replaced by a new file; reading it from the start");
    else if (static_cast<std::uint64_t>(st.st_size) < known->offset)
      ctx.log(LogLevel::warning, name + " shrank below what was already ingested; reading it from the start");
    else
      pos = *known;
  }
  if (static_cast<std::uint64_t>(st.st_size) == pos.offset) {
    cursor_->set(name, pos);  // record new empty files too, so a replacement is noticed
    return {};
  }

  // Lines after `committed` are re-read after a failure; lines this pass
  // quarantined before it may then be quarantined twice (at-least-once).
  Pass pass;
  FileSourceCounters file_counters;
  std::vector<sdk::Record> batch;
  FilePosition committed = pos;
  FilePosition next = pos;
  LineReader reader(fd.get(), pos.offset, options_.max_line_bytes);
  for (;;) {
    LineReader::Item item = reader.next();
    if (item.kind == LineReader::Kind::end) break;
    if (item.kind == LineReader::Kind::error) {
      pass.status = Status::Unavailable("cannot read inbox file " + name + ": " + std::strerror(item.error));
      break;
    }
    std::string where = name + ":" + std::to_string(next.lines + 1) + ": ";
    Status quarantined;
    bool bad = false;
    if (item.kind == LineReader::Kind::oversized) {
      bad = true;
      quarantined = ctx.quarantine(
          item.text, where + "line of " + std::to_string(item.length) + " bytes exceeds max_line_bytes (" +
                         std::to_string(options_.max_line_bytes) + "); only the first max_line_bytes are kept");
    } else {
      MapResult mapped = map_line(item.text, options_.format, options_.max_line_bytes);
      if (mapped.kind == MapResult::Kind::record) {
        batch.push_back(sdk::Record{std::move(mapped.record)});
      } else if (mapped.kind == MapResult::Kind::error) {
        bad = true;
        quarantined = ctx.quarantine(item.text, where + mapped.reason);
      }
    }
    if (!quarantined.ok()) {
      pass.status = Status(quarantined.code(), "cannot quarantine " + where + quarantined.message());
      break;
    }
    if (bad) ++file_counters.quarantined;
    ++next.lines;
    next.offset = item.next_offset;
    pass.progressed = true;
    if (batch.size() >= options_.batch_max) {
      if (Status s = commit(ctx, name, next, batch, file_counters); !s.ok()) {
        pass.status = s;
        break;
      }
      committed = next;
      if (ctx.stopping()) break;
    }
  }
  if (pass.status.ok() && (!batch.empty() || next.offset != committed.offset))
    pass.status = commit(ctx, name, next, batch, file_counters);
  if (file_counters.emitted || file_counters.rejected || file_counters.quarantined)
    ctx.log(LogLevel::info, name + ": " + count_summary(file_counters));
  counters_.emitted += file_counters.emitted;
  counters_.rejected += file_counters.rejected;
  counters_.quarantined += file_counters.quarantined;
  return pass;
}

Status FileSource::commit(sdk::SourceContext& ctx, const std::string& name, const FilePosition& pos,
                          std::vector<sdk::Record>& batch, FileSourceCounters& file_counters) {
  if (!batch.empty()) {
    std::size_t n = batch.size();
    sdk::EmitResult result = ctx.emit(std::move(batch));
    batch.clear();
    if (!result.status.ok())
      return Status(result.status.code(),
                    "batch of " + std::to_string(n) + " records from " + name + " refused: " + result.status.message());
    file_counters.rejected += result.rejected.size();
    file_counters.emitted += n - std::min(n, result.rejected.size());
  }
  cursor_->set(name, pos);
  if (!cursor_->dirty()) return Status::Ok();
  if (Status s = cursor_->save(); !s.ok()) return Status::Unavailable("cannot save the inbox cursor: " + s.message());
  return Status::Ok();
}

}  // namespace medgate::file_adapter
