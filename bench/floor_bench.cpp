// The floor under medgate's per-record work: what the parsing and the SHA-256
// work that issue 4 and the SPEC require cost per record on this machine,
// with nothing else. An implementation of the same transform and audit log
// can beat this sum only by the functions' own overhead (hex output, copies;
// the SHA-256 compressions alone are about 70 % of it), so it bounds the
// ratio to the reference scripts any rewrite could reach (docs/benchmarks.md,
// thirteenth run).
//
//   medgate_floor_bench --config FILE [--route NAME] < in.ndjson
//
// Per chunk of 10,000 input lines, untimed: the real line mapper, transformer
// and audit chain (AuditChain::append into a temporary directory) find, for
// each record, the values it tokenizes and the exact audit line medgated
// writes for it (each line's hash is recomputed and compared with the one
// written, so the bytes hashed below are those of the log). Then, timed, one
// phase at a time over the chunk:
//   parse       simdjson's on-demand parser reads every member of every line
//               (strings as views, numbers as doubles): the least any reader does
//   record_id   derive_record_id (SHA-256 of source 0x1f source_record_id)
//   tokens      KeyedHasher::token (HMAC-SHA256) for the patient token and for
//               every value a `token` rule of the route's policy tokenized
//   audit_hash  audit::entry_hash over each entry line: the hash chain
// Not counted (each costs more than zero): mapping into the profile,
// normalization, the policy's other methods, the free-text scrub, writing
// the output and the audit line, and all I/O.
//
// Prints to stderr:
//   records=N parse_s=S record_id_s=S tokens_s=S audit_hash_s=S floor_s=S
//   floor_us_per_record=U tokens=T audit_bytes=B
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_chain.h"
#include "audit/audit_format.h"
#include "bench_route.h"
#include "crypto/ed25519.h"
#include "line_mapper.h"
#include "pipeline/field_path.h"

using namespace medgate;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kChunk = 10000;

// One HMAC the pipeline computed for a record: the hasher, the domain (the
// field path) and the raw value.
struct Token {
  const crypto::KeyedHasher* hasher;
  std::string domain, value;
};

// One audit line as written: the hashed body and its prev.
struct AuditLine {
  std::string prev, body;
};

struct Chunk {
  std::string text;                  // the lines, each followed by '\n', then simdjson's padding
  std::vector<std::size_t> starts;   // where each line begins in text
  std::vector<std::size_t> lengths;  // its length without the newline
  std::vector<std::string> source_record_ids;
  std::vector<Token> tokens;
  std::vector<AuditLine> audit;
};

struct Totals {
  double parse = 0, record_id = 0, tokens = 0, audit_hash = 0;
  std::uint64_t records = 0, token_count = 0, audit_bytes = 0, sink = 0;
};

[[noreturn]] void die(const std::string& why) {
  std::cerr << "medgate_floor_bench: " << why << "\n";
  std::exit(1);
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Reads every member of `v`, recursively; returns a count that depends on
// what was read, so the compiler cannot drop the work.
std::uint64_t read_all(simdjson::ondemand::value v) {
  switch (v.type().value()) {
    case simdjson::ondemand::json_type::object: {
      std::uint64_t n = 0;
      for (auto field : v.get_object()) {
        n += field.unescaped_key().value().size();
        n += read_all(field.value().value());
      }
      return n;
    }
    case simdjson::ondemand::json_type::array: {
      std::uint64_t n = 0;
      for (auto e : v.get_array()) n += read_all(e.value());
      return n;
    }
    case simdjson::ondemand::json_type::string:
      return v.get_string().value().size();
    case simdjson::ondemand::json_type::number:
      return static_cast<std::uint64_t>(v.get_double().value());
    case simdjson::ondemand::json_type::boolean:
      return v.get_bool().value() ? 1 : 0;
    default:
      return v.is_null().value() ? 0 : 1;
  }
}

// The audit lines appended since `offset` in `path`, split into prev and body,
// each checked against the hash written with it.
void read_audit_lines(const std::string& path, std::uint64_t& offset, std::vector<AuditLine>& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) die("cannot read " + path);
  f.seekg(static_cast<std::streamoff>(offset));
  std::string line;
  while (std::getline(f, line)) {
    offset += line.size() + 1;
    if (line.find("\"type\":\"record\"") == std::string::npos) continue;  // the segment header
    constexpr std::string_view kHash = ",\"hash\":\"";
    const std::size_t h = line.rfind(kHash);
    constexpr std::size_t kHex = 64;
    if (h == std::string::npos || h < kHex + 1 || line.size() < h + kHash.size() + kHex)
      die("unexpected audit line shape");
    AuditLine a{line.substr(h - kHex - 1, kHex), line.substr(0, h)};
    if (audit::entry_hash(a.prev, a.body) != line.substr(h + kHash.size(), kHex))
      die("an audit line's hash does not match its bytes; the floor would hash the wrong thing");
    out.push_back(std::move(a));
  }
}

void time_chunk(Chunk& c, const std::string& source, Totals& t) {
  simdjson::ondemand::parser parser;
  auto t0 = Clock::now();
  for (std::size_t i = 0; i < c.starts.size(); ++i) {
    const char* p = c.text.data() + c.starts[i];
    auto doc = parser.iterate(p, c.lengths[i], c.text.size() - c.starts[i]);
    simdjson::ondemand::value root;
    if (doc.get_value().get(root)) die("line " + std::to_string(i) + " of a chunk is not JSON");
    t.sink += read_all(root);
  }
  t.parse += seconds_since(t0);

  t0 = Clock::now();
  for (std::size_t i = 0; i < c.source_record_ids.size(); ++i)
    t.sink += pipeline::derive_record_id(source, c.source_record_ids[i]).size();
  t.record_id += seconds_since(t0);

  t0 = Clock::now();
  for (const Token& k : c.tokens) t.sink += k.hasher->token(k.domain, k.value).size();
  t.tokens += seconds_since(t0);

  t0 = Clock::now();
  for (const AuditLine& a : c.audit) t.sink += audit::entry_hash(a.prev, a.body).size();
  t.audit_hash += seconds_since(t0);

  t.records += c.starts.size();
  t.token_count += c.tokens.size();
  for (const AuditLine& a : c.audit) t.audit_bytes += a.prev.size() + a.body.size() + 2;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::BenchRoute setup("medgate_floor_bench", " < in.ndjson", argc, argv);
  const runtime::CheckedConfig& checked = setup.checked();
  const config::GatewayConfig& cfg = setup.config();
  const crypto::KeyedHasher* identity_hasher = checked.keys->hasher(cfg.identity.key);
  const pipeline::RecordTransformer& transformer = setup.transformer();
  const std::vector<pipeline::RouteTarget>& dests = setup.destinations();
  const std::string& source = setup.source();
  std::vector<pipeline::FieldPath> identity_paths(cfg.identity.fields.begin(), cfg.identity.fields.end());

  // The audit chain writes into a directory of its own, removed at the end.
  char dir_template[] = "/tmp/medgate-floor.XXXXXX";
  if (!::mkdtemp(dir_template)) die("cannot create a temporary directory");
  const std::string dir = dir_template;
  struct RemoveDir {
    std::string dir;
    ~RemoveDir() { std::filesystem::remove_all(dir); }
  } remove_dir{dir};
  audit::AuditChain chain(audit::AuditChainOptions{dir, 1ull << 40, 0, {}}, crypto::Ed25519Key::generate());
  if (auto s = chain.open(); !s.ok()) die("audit chain: " + s.message());
  const std::string segment = dir + "/" + audit::segment_file_name(1);
  std::uint64_t audit_offset = 0;

  Totals totals;
  Chunk chunk;
  std::vector<audit::AuditEntry> entries;
  pipeline::TransformedRecord out;
  const std::string now = "2026-11-23T00:00:00.000Z";
  auto finish_chunk = [&] {
    if (chunk.starts.empty()) return;
    if (auto s = chain.append(entries, now); !s.ok()) die("audit chain: " + s.message());
    read_audit_lines(segment, audit_offset, chunk.audit);
    if (chunk.audit.size() != entries.size()) die("the audit log holds another number of lines than entries");
    chunk.text.append(simdjson::SIMDJSON_PADDING, ' ');
    time_chunk(chunk, source, totals);
    chunk = Chunk{};
    entries.clear();
  };

  std::string line;
  std::uint64_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    auto mapped = file_adapter::map_line(line, file_adapter::Format::detect, 1 << 20);
    if (!mapped.ok()) die("line " + std::to_string(line_no) + ": " + mapped.reason);
    sdk::Value& body = mapped.record;
    if (auto s = transformer.transform(source, now, body, dests, out); !s.ok())
      die("line " + std::to_string(line_no) + ": " + s.message());
    chunk.starts.push_back(chunk.text.size());
    chunk.lengths.push_back(line.size());
    chunk.text += line;
    chunk.text += '\n';
    chunk.source_record_ids.push_back(body.find("source_record_id")->as_string());
    // The patient token: the first identity field present, as PatientIdentifier does.
    for (std::size_t i = 0; i < identity_paths.size(); ++i)
      if (const sdk::Value* v = identity_paths[i].find_in(body))
        if (std::string text = pipeline::identifier_text(*v); !text.empty()) {
          chunk.tokens.push_back({identity_hasher, cfg.identity.fields[i], std::move(text)});
          break;
        }
    // Every value a token rule tokenized (the audit entry names them).
    for (const audit::AuditEntry& e : out.audits) {
      for (const pipeline::FieldAction& a : e.actions) {
        if (*a.method != "token") continue;
        const pipeline::FieldPath path(*a.path);
        const sdk::Value* v = path.find_in(body);
        if (!v) continue;
        // What the method was given: the value, or each element's part for
        // a "*" path; a list is tokenized element by element.
        std::vector<const sdk::Value*> given, values;
        if (path.each()) {
          if (v->is_array())
            for (const auto& el : v->as_array())
              if (const sdk::Value* part = path.find_in_element(el)) given.push_back(part);
        } else {
          given.push_back(v);
        }
        for (const sdk::Value* g : given)
          if (g->is_array())
            for (const auto& el : g->as_array()) values.push_back(&el);
          else
            values.push_back(g);
        for (const sdk::Value* one : values)
          if (std::string text = pipeline::identifier_text(*one); !text.empty())
            chunk.tokens.push_back({checked.keys->hasher(*a.key_id), *a.path, std::move(text)});
      }
      entries.push_back(e);
    }
    if (chunk.starts.size() == kChunk) finish_chunk();
  }
  finish_chunk();
  if (totals.records == 0) die("no records on stdin");

  const double floor_s = totals.parse + totals.record_id + totals.tokens + totals.audit_hash;
  std::fprintf(stderr,
               "records=%llu parse_s=%.3f record_id_s=%.3f tokens_s=%.3f audit_hash_s=%.3f floor_s=%.3f "
               "floor_us_per_record=%.3f tokens=%llu audit_bytes=%llu sink=%llu\n",
               static_cast<unsigned long long>(totals.records), totals.parse, totals.record_id, totals.tokens,
               totals.audit_hash, floor_s, floor_s / static_cast<double>(totals.records) * 1e6,
               static_cast<unsigned long long>(totals.token_count), static_cast<unsigned long long>(totals.audit_bytes),
               static_cast<unsigned long long>(totals.sink % 10));
  return 0;
}
