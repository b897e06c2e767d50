#include "spool/cursor_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "spool/durable_file.h"

namespace medgate::spool {
namespace {
constexpr std::size_t kSlot = 32;
constexpr char kMagic[4] = {'M', 'G', 'C', '1'};

void put_u64(char* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
std::uint32_t slot_crc(const char* slot) {
  return static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef*>(slot), kSlot - 4));
}

void encode(char* slot, std::uint64_t generation, const Position& p) {
  std::memcpy(slot, kMagic, 4);
  put_u64(slot + 4, generation);
  put_u64(slot + 12, p.segment);
  put_u64(slot + 20, p.offset);
  std::uint32_t crc = slot_crc(slot);
  for (int i = 0; i < 4; ++i) slot[28 + i] = static_cast<char>((crc >> (8 * i)) & 0xff);
}

bool decode(const char* slot, std::uint64_t& generation, Position& p) {
  if (std::memcmp(slot, kMagic, 4) != 0) return false;
  std::uint32_t crc = 0;
  for (int i = 3; i >= 0; --i) crc = (crc << 8) | static_cast<unsigned char>(slot[28 + i]);
  if (crc != slot_crc(slot)) return false;
  generation = get_u64(slot + 4);
  p = {get_u64(slot + 12), get_u64(slot + 20)};
  return true;
}
}  // namespace

CursorFile::~CursorFile() {
  if (fd_ >= 0) ::close(fd_);
}

sdk::Status CursorFile::open(Position& p, bool& found) {
  found = false;
  std::string content;
  {
    std::ifstream in(path_, std::ios::binary);
    if (in) {
      found = true;
      content.assign(std::istreambuf_iterator<char>(in), {});
    }
  }
  const std::string corrupt = "spool cursor " + path_ + " is corrupt; refusing to guess where delivery resumes";
  bool binary = false;
  if (found) {
    std::uint64_t g0 = 0, g1 = 0;
    Position p0, p1;
    const bool v0 = content.size() == 2 * kSlot && decode(content.data(), g0, p0);
    const bool v1 = content.size() == 2 * kSlot && decode(content.data() + kSlot, g1, p1);
    if (v0 || v1) {
      binary = true;
      const bool take0 = v0 && (!v1 || g0 > g1);
      p = take0 ? p0 : p1;
      generation_ = take0 ? g0 : g1;
    } else {
      // The earlier text form, "SEGMENT OFFSET\n".
      std::istringstream text(content);
      if (!(text >> p.segment >> p.offset)) return sdk::Status::Invalid(corrupt);
    }
  }
  if (!found) return sdk::Status::Ok();  // created by the first store()
  if (!binary) return create(p);        // the text form, converted
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) return sdk::Status::Unavailable(errno_message("open", path_));
  return sdk::Status::Ok();
}

// A new file appears whole, by rename: the cursor in its slot, the other empty.
sdk::Status CursorFile::create(const Position& p) {
  char slots[2 * kSlot] = {};
  const std::uint64_t generation = generation_ + 1;
  encode(slots + (generation % 2) * kSlot, generation, p);
  if (sdk::Status s = write_file_atomic(path_, std::string_view(slots, sizeof slots)); !s.ok()) return s;
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd_ < 0) return sdk::Status::Unavailable(errno_message("open", path_));
  generation_ = generation;
  return sdk::Status::Ok();
}

sdk::Status CursorFile::store(const Position& p) {
  if (fd_ < 0) return create(p);
  char slot[kSlot];
  const std::uint64_t generation = generation_ + 1;
  encode(slot, generation, p);
  // The slot not holding the newest cursor: generations alternate between them.
  const off_t at = static_cast<off_t>((generation % 2) * kSlot);
  if (::pwrite(fd_, slot, kSlot, at) != static_cast<ssize_t>(kSlot) || ::fdatasync(fd_) != 0)
    return sdk::Status::Unavailable(errno_message("write", path_));
  generation_ = generation;
  return sdk::Status::Ok();
}

}  // namespace medgate::spool
