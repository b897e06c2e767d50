// Transform-only benchmark: NDJSON on stdin -> desensitized NDJSON on stdout,
// through exactly the code medgated runs per record (the file adapter's line
// mapping, then normalize -> identify -> desensitize with the configured
// policy of the first route, plus building the audit entries), without disk
// I/O for spool and audit. Same shape as ../shared/bench/ref_desensitize.py,
// so both run on the same input in one script (bench/run.sh).
//
//   medgate_transform_bench --config FILE [--route NAME] < in.ndjson > out.ndjson
// Prints "records=N seconds=S records_per_s=R" to stderr.
#include <mimalloc.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

#include "bench_route.h"
#include "line_mapper.h"

using namespace medgate;

int main(int argc, char** argv) {
  const bench::BenchRoute setup("medgate_transform_bench", " < in.ndjson > out.ndjson", argc, argv);
  const pipeline::RecordTransformer& transformer = setup.transformer();
  const std::vector<pipeline::RouteTarget>& dests = setup.destinations();
  const std::string& source = setup.source();

  std::ios::sync_with_stdio(false);
  static char out_buf[1 << 20];
  std::setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
  auto start = std::chrono::steady_clock::now();
  std::string line;
  std::uint64_t records = 0, failed = 0;
  pipeline::TransformedRecord out;
  while (std::getline(std::cin, line)) {
    auto mapped = file_adapter::map_line(line, file_adapter::Format::detect, 1 << 20);
    if (!mapped.ok()) {
      ++failed;
      continue;
    }
    std::string now = "2026-11-23T00:00:00.000Z";  // one clock read per batch in medgated; fixed here
    if (!transformer.transform(source, now, mapped.record, dests, out).ok()) {
      ++failed;
      continue;
    }
    for (const auto& o : out.outputs) {
      std::fwrite(o.payload.data(), 1, o.payload.size(), stdout);
      std::fputc('\n', stdout);
    }
    ++records;
  }
  std::fflush(stdout);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "records=%llu failed=%llu seconds=%.3f records_per_s=%.0f allocator=mimalloc-%d\n",
               static_cast<unsigned long long>(records), static_cast<unsigned long long>(failed), secs,
               records / secs, mi_version());
  return failed ? 1 : 0;
}
