#include "audit/audit_verifier.h"

#include <filesystem>

#include "audit/audit_format.h"
#include "audit/audit_line.h"
#include "audit/audit_reader.h"

namespace medgate::audit {
namespace fs = std::filesystem;

std::string VerifyProblem::text() const {
  std::string s = file;
  if (line) s += ":" + std::to_string(line);
  s += ": ";
  if (seq) s += "seq " + std::to_string(seq) + ": ";
  return s + kind + ": " + detail;
}

namespace {

std::string range(std::uint64_t a, std::uint64_t b) {
  return a == b ? "seq " + std::to_string(a) : "seqs " + std::to_string(a) + ".." + std::to_string(b);
}

std::string counted(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// A retention statement seen in the log, for the check of a missing head.
struct RetentionSeen {
  std::string file;
  std::size_t line = 0;
  std::uint64_t seq = 0;
  RetentionInfo info;
  bool signature_checked = false;
};

class Verifier {
 public:
  Verifier(const VerifyOptions& options, VerifyReport& report) : opt_(options), r_(report) {}

  void run(const std::string& path) {
    r_.path = path;
    std::error_code ec;
    std::vector<SegmentFile> files;
    if (fs::is_directory(path, ec)) {
      dir_ = path;
      if (sdk::Status s = list_segments(path, files); !s.ok()) return fail(path, 0, 0, "unreadable", s.message());
      if (files.empty())
        return fail(path, 0, 0, "segment missing", "no audit segments (audit-NNNNNNNN.ndjson) in this directory");
    } else if (fs::exists(path, ec)) {
      r_.single_segment = true;
      std::uint64_t n = 0;
      parse_segment_file_name(fs::path(path).filename().string(), n);
      files.push_back({n, path});
      dir_ = fs::path(path).parent_path().string();
    } else {
      return fail(path, 0, 0, "unreadable", "no such file or directory");
    }
    r_.signatures_checked = !opt_.keys.empty();
    for (std::size_t i = 0; i < files.size(); ++i) {
      SegmentFile& f = files[i];
      if (!scanning_) {
        collect_retention(f);
        continue;
      }
      if (i > 0 && f.number != files[i - 1].number + 1) {
        const std::uint64_t missing = files[i - 1].number + 1;
        fail(path_of(missing), 0, expect_seq_, "segment missing",
             (f.number == missing + 1
                  ? segment_file_name(missing) + " is gone"
                  : segment_file_name(missing) + " .. " + segment_file_name(f.number - 1) + " are gone") +
                 ": the log goes from seq " + std::to_string(expect_seq_ - 1) + " at the end of " +
                 segment_file_name(files[i - 1].number) + " to " + segment_file_name(f.number));
        collect_retention(f);
        continue;
      }
      check_segment(f, i == 0);
      if (!scanning_) collect_retention(f);  // statements after the problem still count for the head
      ++r_.segments;
      r_.last_segment = f.number;
    }
    r_.first_segment = files.front().number;  // a single file's number may come from its header
    finish(files);
  }

 private:
  std::string path_of(std::uint64_t n) const { return (fs::path(dir_) / segment_file_name(n)).string(); }

  void fail(const std::string& file, std::size_t line, std::uint64_t seq, const char* kind, std::string detail) {
    scanning_ = false;
    if (!r_.problem) r_.problem = VerifyProblem{file, line, seq, kind, std::move(detail)};
  }

  // The signature of a signed entry; false after reporting a problem.
  bool check_signature(const std::string& file, std::size_t line, std::uint64_t seq, const std::string& key,
                       const std::string& sig, const std::string& statement) {
    if (opt_.keys.empty()) return true;
    std::string known;
    for (const auto& k : opt_.keys) {
      if (k->fingerprint() == key) {
        if (!k->verify_hex(statement, sig)) {
          fail(file, line, seq, "bad signature",
               "the signature does not verify with key " + key +
                   ": the entries before it were rewritten, or the signature was forged");
          return false;
        }
        ++r_.signatures_verified;
        bool listed = false;
        for (const auto& fp : r_.key_fingerprints) listed |= fp == key;
        if (!listed) r_.key_fingerprints.push_back(key);
        return true;
      }
      known += (known.empty() ? "" : ", ") + k->fingerprint();
    }
    fail(file, line, seq, "bad signature",
         "signed with key " + key + ", which is not among the verifying keys given (" + known + ")");
    return false;
  }

  static RetentionStatement statement_of(const AuditLine& e) {
    RetentionStatement st;
    st.seq = e.seq;
    st.time = e.time;
    st.first_segment = e.retention.first_segment;
    st.last_segment = e.retention.last_segment;
    st.first_seq = e.retention.first_seq;
    st.last_seq = e.retention.last_seq;
    st.kept_segment = e.retention.kept_segment;
    st.kept_seq = e.retention.kept_seq;
    st.kept_prev = e.retention.kept_prev;
    st.prev = e.prev;
    return st;
  }

  // After a problem: only retention statements still matter (for the head).
  void collect_retention(const SegmentFile& f) {
    SegmentLines lines;
    if (!lines.read(f.path).ok()) return;
    AuditLine e;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (!parse_audit_line(lines.line(i), e).ok() || e.type != EntryType::retention) continue;
      if (entry_hash(e.prev, lines.line(i).substr(0, e.body_size)) != e.hash) continue;
      bool ok = opt_.keys.empty();
      for (const auto& k : opt_.keys)
        ok |=
            k->fingerprint() == e.retention.key && k->verify_hex(retention_statement(statement_of(e)), e.retention.sig);
      if (ok) retentions_.push_back({f.path, i + 1, e.seq, e.retention, !opt_.keys.empty()});
    }
  }

  // Whether seq `want` appears later in this segment (a swap, not a removal).
  static bool appears_later(const SegmentLines& lines, std::size_t from, std::uint64_t want) {
    AuditLine e;
    for (std::size_t i = from; i < lines.size(); ++i)
      if (parse_audit_line(lines.line(i), e).ok() && e.seq == want) return true;
    return false;
  }

  void check_segment(SegmentFile& f, bool first_file) {
    SegmentLines lines;
    if (sdk::Status s = lines.read(f.path); !s.ok()) return fail(f.path, 0, 0, "unreadable", s.message());
    if (lines.size() == 0) {
      if (lines.torn_bytes())
        return fail(f.path, 1, have_prev_ ? expect_seq_ : 0, "truncated",
                    "line 1 is incomplete (" + std::to_string(lines.torn_bytes()) +
                        " bytes without a newline): the segment was cut inside its header");
      return fail(f.path, 0, have_prev_ ? expect_seq_ : 0, "truncated",
                  "the segment file is empty: its header and entries are gone");
    }
    AuditLine e;
    for (std::size_t li = 0; li < lines.size() && scanning_; ++li) {
      const std::string_view text = lines.line(li);
      const std::size_t lineno = li + 1;
      if (sdk::Status s = parse_audit_line(text, e); !s.ok())
        return fail(f.path, lineno, have_prev_ ? expect_seq_ : 0, "modified",
                    "not a valid audit entry (" + s.message() + ")");
      if (entry_hash(e.prev, text.substr(0, e.body_size)) != e.hash)
        return fail(f.path, lineno, e.seq, "modified",
                    "the entry does not match its hash (its content or its hash was changed)");
      if (!check_header(f, lines, li, e)) return;
      if (!check_link(f, lines, li, e, first_file)) return;
      if (!check_type(f, lineno, e)) return;
      if (opt_.anchor && e.seq == opt_.anchor->first) {
        anchor_seen_ = true;
        if (e.hash != opt_.anchor->second)
          return fail(f.path, lineno, e.seq, "modified",
                      "its hash " + e.hash + " is not the anchor's " + opt_.anchor->second);
      }
      have_prev_ = true;
      expect_seq_ = e.seq + 1;
      expect_prev_ = e.hash;
      prev_file_ = f.path;
      prev_line_ = lineno;
      last_type_ = e.type;
      last_reason_ = e.type == EntryType::checkpoint ? e.checkpoint.reason : "";
      r_.last_seq = e.seq;
      r_.last_hash = e.hash;
    }
    if (scanning_ && lines.torn_bytes())
      fail(f.path, lines.size() + 1, expect_seq_, "truncated",
           "line " + std::to_string(lines.size() + 1) + " is incomplete (" + std::to_string(lines.torn_bytes()) +
               " bytes without a newline): the segment was cut inside an entry");
  }

  bool check_header(SegmentFile& f, const SegmentLines&, std::size_t li, const AuditLine& e) {
    const std::size_t lineno = li + 1;
    if (li > 0) {
      if (e.type != EntryType::segment) return true;
      fail(f.path, lineno, e.seq, "reordered", "a segment header in the middle of a segment");
      return false;
    }
    if (e.type != EntryType::segment) {
      fail(f.path, 1, e.seq, "removed",
           std::string("the segment header is gone (line 1 is a ") + entry_type_name(e.type) + " entry)");
      return false;
    }
    if (e.header.format != kFormat) {
      fail(f.path, 1, e.seq, "unsupported", "format '" + e.header.format.substr(0, 40) + "', not " + kFormat);
      return false;
    }
    if (f.number == 0) f.number = e.header.segment;  // a single file with another name
    if (e.header.segment != f.number) {
      fail(f.path, 1, e.seq, "reordered",
           "the file holds segment " + std::to_string(e.header.segment) + ", not " + std::to_string(f.number) +
               ": segment files were renamed");
      return false;
    }
    return true;
  }

  bool check_link(const SegmentFile& f, const SegmentLines& lines, std::size_t li, const AuditLine& e,
                  bool first_file) {
    const std::size_t lineno = li + 1;
    if (!have_prev_) {
      r_.first_seq = e.seq;
      first_header_seq_ = e.seq;
      first_header_prev_ = e.prev;
      first_file_ = f.path;
      if (!r_.single_segment && first_file && f.number == 1) {
        if (e.seq != 1) {
          fail(f.path, lineno, e.seq, "removed", "the log starts at seq " + std::to_string(e.seq) + ", not 1");
          return false;
        }
        if (e.prev != kGenesis) {
          fail(f.path, lineno, e.seq, "modified", "the first entry's prev is not the genesis value (64 zeros)");
          return false;
        }
      }
      return true;
    }
    if (e.seq == expect_seq_) {
      if (e.prev == expect_prev_) return true;
      // The previous entry matches its own hash but not what this one
      // recorded: it was rewritten together with its hash.
      fail(prev_file_, prev_line_, expect_seq_ - 1, "modified",
           "the entry was rewritten: seq " + std::to_string(e.seq) + " (" + fs::path(f.path).filename().string() + ":" +
               std::to_string(lineno) + ") records another hash as its prev");
      return false;
    }
    if (e.seq > expect_seq_) {
      if (li == 0) {
        fail(prev_file_, prev_line_ + 1, expect_seq_, "truncated",
             "the segment ends at seq " + std::to_string(expect_seq_ - 1) + " but " +
                 fs::path(f.path).filename().string() + " continues at seq " + std::to_string(e.seq) + ": " +
                 range(expect_seq_, e.seq - 1) + " at its end are gone");
      } else if (appears_later(lines, li + 1, expect_seq_)) {
        fail(f.path, lineno, e.seq, "reordered",
             "seq " + std::to_string(e.seq) + " comes before seq " + std::to_string(expect_seq_));
      } else {
        fail(f.path, lineno, expect_seq_, "removed",
             range(expect_seq_, e.seq - 1) + (e.seq - 1 == expect_seq_ ? " is" : " are") + " gone: seq " +
                 std::to_string(expect_seq_ - 1) + " is followed by seq " + std::to_string(e.seq));
      }
      return false;
    }
    fail(f.path, lineno, e.seq, "reordered",
         "seq " + std::to_string(e.seq) + " comes after seq " + std::to_string(expect_seq_ - 1) +
             " (an entry was moved or copied)");
    return false;
  }

  bool check_type(const SegmentFile& f, std::size_t lineno, const AuditLine& e) {
    switch (e.type) {
      case EntryType::record:
        ++r_.records;
        break;
      case EntryType::dlq_replay:
      case EntryType::dlq_drop:
        ++r_.dead_letter_actions;
        break;
      case EntryType::quarantine_open:
        ++r_.quarantine_opens;
        break;
      case EntryType::quarantine_drop:
        ++r_.quarantine_drops;
        break;
      case EntryType::handle_open:
        ++r_.handle_opens;
        break;
      case EntryType::segment:
        break;
      case EntryType::checkpoint: {
        const auto& c = e.checkpoint;
        if (c.last_seq + 1 != e.seq || (last_signed_ && c.first_seq != *last_signed_ + 1)) {
          fail(f.path, lineno, e.seq, "modified",
               "the checkpoint covers seqs " + std::to_string(c.first_seq) + ".." + std::to_string(c.last_seq) +
                   ", which does not follow the previous signed entry");
          return false;
        }
        if (!check_signature(f.path, lineno, e.seq, c.key, c.sig,
                             checkpoint_statement(e.seq, e.time, c.reason, c.first_seq, c.last_seq, e.prev)))
          return false;
        ++r_.checkpoints;
        break;
      }
      case EntryType::retention: {
        if (!check_signature(f.path, lineno, e.seq, e.retention.key, e.retention.sig,
                             retention_statement(statement_of(e))))
          return false;
        retentions_.push_back({f.path, lineno, e.seq, e.retention, !opt_.keys.empty()});
        ++r_.retentions;
        break;
      }
    }
    if (is_signed(e.type)) {
      last_signed_ = e.seq;
      r_.last_signed_seq = e.seq;
      r_.last_signed_hash = e.hash;
      r_.last_signed_time = e.time;
    }
    return true;
  }

  // The start of the log: segment 1, or a head removed under a signed retention statement.
  void check_head(const std::vector<SegmentFile>& files) {
    const std::uint64_t first = files.front().number;
    if (r_.single_segment || first <= 1 || first_file_.empty()) return;
    const RetentionSeen* best = nullptr;
    for (const auto& s : retentions_)
      if (s.info.kept_segment >= first && (!best || s.seq > best->seq)) best = &s;
    if (!best) {
      r_.problem.reset();
      fail(path_of(1), 0, 0, "segment missing",
           (first == 2 ? segment_file_name(1) + " is gone"
                       : segment_file_name(1) + " .. " + segment_file_name(first - 1) + " are gone") +
               " and no signed retention statement covers " + (first == 2 ? "its" : "their") +
               " removal (the log starts at seq " + std::to_string(first_header_seq_) + " in " +
               fs::path(first_file_).filename().string() + ")");
      return;
    }
    if (best->info.kept_segment == first &&
        (best->info.kept_seq != first_header_seq_ || best->info.kept_prev != first_header_prev_)) {
      r_.problem.reset();
      fail(first_file_, 1, first_header_seq_, "modified",
           "the segment header does not match the retention statement at seq " + std::to_string(best->seq) + " (" +
               fs::path(best->file).filename().string() + ":" + std::to_string(best->line) + ")");
      return;
    }
    std::string what = "segments before " + segment_file_name(first) + " were removed by retention (statement at seq " +
                       std::to_string(best->seq) + ", " + fs::path(best->file).filename().string() + ":" +
                       std::to_string(best->line) + ")";
    if (best->signature_checked)
      r_.notes.push_back(what + "; its signature verifies");
    else
      r_.warnings.push_back(what + "; its signature was not checked (no verifying key)");
  }

  void finish(const std::vector<SegmentFile>& files) {
    check_head(files);
    if (r_.problem) return;
    if (!r_.single_segment && last_type_ == EntryType::checkpoint && last_reason_ == "rotate")
      return fail(path_of(files.back().number + 1), 0, expect_seq_, "segment missing",
                  "the log ends with the checkpoint that rolled " + segment_file_name(files.back().number) + " (seq " +
                      std::to_string(expect_seq_ - 1) + "), so the segment after it is gone");
    r_.closed = last_type_ == EntryType::checkpoint && last_reason_ == "close";
    const std::uint64_t signed_through = last_signed_ ? *last_signed_ : r_.first_seq - 1;
    r_.unsigned_entries = r_.last_seq - signed_through;
    if (opt_.require_closed && !r_.closed)
      return fail(prev_file_, prev_line_, r_.last_seq, "truncated",
                  "the log does not end with a close checkpoint: it was cut after seq " + std::to_string(r_.last_seq) +
                      ", or medgated is running or did not stop cleanly");
    if (opt_.anchor && !anchor_seen_) {
      if (opt_.anchor->first > r_.last_seq)
        return fail(prev_file_, prev_line_ + 1, opt_.anchor->first, "truncated",
                    "the log ends at seq " + std::to_string(r_.last_seq) + ", before the anchor seq " +
                        std::to_string(opt_.anchor->first));
      r_.warnings.push_back("the anchor seq " + std::to_string(opt_.anchor->first) +
                            " is not in the part verified (removed by retention, or in another segment); not checked");
    } else if (opt_.anchor) {
      r_.notes.push_back("the anchor seq " + std::to_string(opt_.anchor->first) + " is present with its hash");
    }
    if (r_.unsigned_entries)
      r_.warnings.push_back(counted(r_.unsigned_entries, "entry", "entries") +
                            (last_signed_
                                 ? " after the last signed checkpoint (seq " + std::to_string(*last_signed_) + ")"
                                 : std::string()) +
                            (r_.unsigned_entries == 1 ? " is" : " are") + " not yet signed" +
                            (last_signed_ ? "" : " (there is no signed checkpoint yet)") +
                            ": medgated is running, or stopped without a clean shutdown; the next checkpoint covers "
                            "them (the chain itself is intact)");
    if (!r_.signatures_checked)
      r_.warnings.push_back(
          "signatures NOT checked (no verifying key): the hash chain alone does not prove the log "
          "was not rewritten; pass --key VERIFY_KEY.pem");
  }

  const VerifyOptions& opt_;
  VerifyReport& r_;
  std::string dir_;
  bool scanning_ = true;
  bool have_prev_ = false;
  std::uint64_t expect_seq_ = 1;
  std::string expect_prev_;
  std::string prev_file_;
  std::size_t prev_line_ = 0;
  std::optional<std::uint64_t> last_signed_;
  EntryType last_type_ = EntryType::segment;
  std::string last_reason_;
  std::uint64_t first_header_seq_ = 0;
  std::string first_header_prev_, first_file_;
  std::vector<RetentionSeen> retentions_;
  bool anchor_seen_ = false;
};

}  // namespace

VerifyReport verify_audit_log(const std::string& path, const VerifyOptions& options) {
  VerifyReport report;
  Verifier(options, report).run(path);
  return report;
}

std::vector<std::string> describe(const VerifyReport& r) {
  std::vector<std::string> out;
  if (r.problem) {
    out.push_back("FAILED: " + r.problem->text());
    return out;
  }
  std::string what = r.single_segment || r.segments == 1
                         ? "segment " + segment_file_name(r.first_segment)
                         : counted(r.segments, "segment", "segments") + " (" + segment_file_name(r.first_segment) +
                               " .. " + segment_file_name(r.last_segment) + ")";
  out.push_back("intact: " + r.path + ": " + what + ", seq " + std::to_string(r.first_seq) + ".." +
                std::to_string(r.last_seq) + ": " + counted(r.records, "record", "records") + ", " +
                counted(r.dead_letter_actions, "dead-letter action", "dead-letter actions") + ", " +
                (r.quarantine_opens ? counted(r.quarantine_opens, "quarantine read", "quarantine reads") + ", " : "") +
                (r.quarantine_drops ? counted(r.quarantine_drops, "quarantine removal", "quarantine removals") + ", "
                                    : "") +
                (r.handle_opens ? counted(r.handle_opens, "handle opened", "handles opened") + ", " : "") +
                counted(r.checkpoints, "checkpoint", "checkpoints") + ", " +
                counted(r.retentions, "retention statement", "retention statements"));
  if (r.signatures_checked) {
    std::string keys;
    for (const auto& k : r.key_fingerprints) keys += (keys.empty() ? "" : ", ") + k;
    out.push_back("signatures: " + std::to_string(r.signatures_verified) + " verified" +
                  (keys.empty() ? std::string() : " with key " + keys));
  }
  if (r.last_signed_seq)
    out.push_back("last signed: seq " + std::to_string(r.last_signed_seq) + " at " + r.last_signed_time + ", hash " +
                  r.last_signed_hash + " (keep it: --anchor " + std::to_string(r.last_signed_seq) + ":" +
                  r.last_signed_hash + " checks later that nothing up to it went)");
  if (r.closed) out.push_back("closed: the log ends with a close checkpoint");
  for (const auto& n : r.notes) out.push_back("note: " + n);
  for (const auto& w : r.warnings) out.push_back("warning: " + w);
  return out;
}

}  // namespace medgate::audit
