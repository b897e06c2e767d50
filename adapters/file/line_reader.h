// Complete lines of a file, from a byte offset, in bounded memory. A line is
// complete when its '\n' has been written; a partial last line is left for a
// later read. A line longer than the limit is reported as oversized with only
// its first `max_line_bytes` kept, however long it is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace medgate::file_adapter {

class LineReader {
 public:
  enum class Kind { line, oversized, end, error };
  struct Item {
    Kind kind = Kind::end;
    std::string_view text;          // without '\n'; oversized: the kept prefix. Valid until next()
    std::uint64_t length = 0;       // the whole line's length in bytes, without '\n'
    std::uint64_t next_offset = 0;  // file offset just after this line's '\n'
    int error = 0;                  // errno, for Kind::error
  };

  // Reads `fd` (not owned) with pread from `offset`, which must start a line.
  LineReader(int fd, std::uint64_t offset, std::size_t max_line_bytes, std::size_t chunk_bytes = 1 << 18);

  Item next();

 private:
  int fd_;
  std::size_t max_;
  std::size_t chunk_;
  std::string buf_;            // file bytes from buf_offset_
  std::uint64_t buf_offset_;   // file offset of buf_[0]
  std::size_t head_ = 0;       // start of the current line in buf_
  std::size_t scan_ = 0;       // buf_ before this holds no '\n' of the current line
  bool skipping_ = false;      // inside an oversized line, its bytes dropped
  std::string kept_;           // the oversized line's first max_ bytes
  std::uint64_t skipped_ = 0;  // bytes of the oversized line dropped so far
};

}  // namespace medgate::file_adapter
