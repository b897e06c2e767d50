#include "spool/dead_letters.h"

#include <fstream>
#include <unordered_set>

#include "medgate/sdk/json.h"
#include "spool/durable_file.h"
#include "spool/entry_retention.h"
#include "spool/timestamps.h"

namespace medgate::spool {
namespace {

// One line back into an entry; false when it is not one.
bool parse_line(const std::string& line, DeadLetter& out) {
  sdk::Value v;
  if (!sdk::parse_json(line, v).ok() || !v.is_object()) return false;
  auto text = [&](const char* name, std::string& field) {
    const sdk::Value* f = v.find(name);
    if (!f || !f->is_string()) return false;
    field = f->as_string();
    return true;
  };
  return text("time", out.time) && text("idempotency_key", out.idempotency_key) &&
         text("partition_key", out.partition_key) && text("reason", out.reason) && text("payload", out.payload);
}

// Calls `fn(line, entry, parsed)` for each line of `path`; a missing file has no lines.
template <typename Fn>
sdk::Status each_line(const std::string& path, Fn&& fn) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return sdk::Status::Ok();
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    DeadLetter d;
    bool parsed = parse_line(line, d);
    if (sdk::Status s = fn(line, d, parsed); !s.ok()) return s;
  }
  if (in.bad()) return sdk::Status::Unavailable(errno_message("read", path));
  return sdk::Status::Ok();
}
}  // namespace

sdk::Status DeadLetters::open() { return ensure_dir(dir_); }

sdk::Status DeadLetters::add(const std::string& target, const SpoolEntry& entry, const std::string& reason) {
  sdk::Value v = sdk::Value::object();
  v["time"] = utc_now_rfc3339();
  v["target"] = target;
  v["idempotency_key"] = entry.idempotency_key;
  v["partition_key"] = entry.partition_key;
  v["reason"] = reason;
  v["payload"] = entry.payload;
  std::string line = sdk::to_json(v);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  return append_durable(file_for(target), line);
}

sdk::Status DeadLetters::stats(const std::string& target, DeadLetterStats& out) const {
  out = {};
  std::lock_guard<std::mutex> lock(mu_);
  return each_line(file_for(target), [&](const std::string& line, const DeadLetter& d, bool parsed) {
    out.bytes += line.size() + 1;
    if (!parsed) {
      ++out.unreadable;
      return sdk::Status::Ok();
    }
    if (out.entries++ == 0) out.oldest = d.time;
    out.newest = d.time;
    return sdk::Status::Ok();
  });
}

sdk::Status DeadLetters::read(const std::string& target, std::uint64_t offset, std::uint64_t limit,
                              std::vector<DeadLetter>& out, std::uint64_t& total) const {
  out.clear();
  total = 0;
  std::lock_guard<std::mutex> lock(mu_);
  return each_line(file_for(target), [&](const std::string&, DeadLetter& d, bool parsed) {
    if (!parsed) return sdk::Status::Ok();
    if (total >= offset && total - offset < limit) out.push_back(std::move(d));
    ++total;
    return sdk::Status::Ok();
  });
}

sdk::Status DeadLetters::remove(const std::string& target, const std::vector<std::string>& keys, std::size_t chunk,
                                const Sink& sink, std::uint64_t& selected, std::uint64_t& removed) {
  selected = removed = 0;
  const std::unordered_set<std::string> wanted(keys.begin(), keys.end());
  auto matches = [&](const DeadLetter& d) { return wanted.empty() || wanted.count(d.idempotency_key) > 0; };
  const std::string path = file_for(target);

  std::lock_guard<std::mutex> lock(mu_);
  // First pass: how many match (for progress), before anything changes.
  if (sdk::Status s = each_line(path, [&](const std::string&, const DeadLetter& d, bool parsed) {
        if (parsed && matches(d)) ++selected;
        return sdk::Status::Ok();
      });
      !s.ok())
    return s;
  if (selected == 0) return sdk::Status::Ok();

  // Second pass: hand matching entries to the sink; keep the rest (and all
  // entries from the first chunk the sink refused) in the replacement file.
  ReplacementFile kept(path);
  if (sdk::Status s = kept.open(); !s.ok()) return s;
  std::vector<DeadLetter> pending;
  std::vector<std::string> pending_lines;
  sdk::Status sink_status = sdk::Status::Ok();
  auto flush = [&]() -> sdk::Status {
    if (pending.empty()) return sdk::Status::Ok();
    if (sink_status.ok()) sink_status = sink(pending, selected);
    if (sink_status.ok()) {
      removed += pending.size();
    } else {
      for (const auto& l : pending_lines)
        if (sdk::Status s = kept.append(l + "\n"); !s.ok()) return s;
    }
    pending.clear();
    pending_lines.clear();
    return sdk::Status::Ok();
  };
  sdk::Status s = each_line(path, [&](const std::string& line, DeadLetter& d, bool parsed) {
    if (!parsed || !matches(d) || !sink_status.ok()) return kept.append(line + "\n");
    pending.push_back(std::move(d));
    pending_lines.push_back(line);
    return pending.size() >= chunk ? flush() : sdk::Status::Ok();
  });
  if (s.ok()) s = flush();
  if (s.ok()) s = kept.commit();
  if (!s.ok()) return s;  // the old file stands; what the sink took is delivered again (same keys): at-least-once
  return sink_status;
}

sdk::Status DeadLetters::remove_older_than(std::chrono::system_clock::time_point cutoff, const BeforeRemoval& before,
                                           std::vector<std::pair<std::string, std::size_t>>& removed) {
  std::lock_guard<std::mutex> lock(mu_);
  return remove_entries_older_than(dir_, cutoff, before, removed);
}

}  // namespace medgate::spool
