// Where a target's delivery resumes, kept durably and cheaply: the file holds
// two 32-byte slots, each "MGC1", a generation, segment, offset and a CRC-32;
// store() overwrites the older slot in place (pwrite + fdatasync, no new
// inode, no rename) and load() takes the valid slot with the higher
// generation. A write torn by a crash spoils at most the slot being written;
// the other still holds the previous position (delivery then repeats a few
// records: at-least-once). A cursor file of the earlier text form
// ("SEGMENT OFFSET\n") is read and replaced atomically on open.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "medgate/sdk/status.h"

namespace medgate::spool {

// A place in a target's spool: segment number and byte offset in it.
struct Position {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
  auto operator<=>(const Position&) const = default;
};

class CursorFile {
 public:
  explicit CursorFile(std::string path) : path_(std::move(path)) {}
  ~CursorFile();
  CursorFile(const CursorFile&) = delete;
  CursorFile& operator=(const CursorFile&) = delete;

  // Reads the cursor (`found` false when there is no file yet: the first
  // store() creates it) and opens the file for store(). A file that holds no
  // valid cursor is an error.
  sdk::Status open(Position& p, bool& found);
  // Makes `p` the durable cursor.
  sdk::Status store(const Position& p);

 private:
  sdk::Status create(const Position& p);

  std::string path_;
  int fd_ = -1;
  std::uint64_t generation_ = 0;
};

}  // namespace medgate::spool
