#include "line_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace medgate::file_adapter {

LineReader::LineReader(int fd, std::uint64_t offset, std::size_t max_line_bytes, std::size_t chunk_bytes)
    : fd_(fd), max_(max_line_bytes), chunk_(std::max<std::size_t>(chunk_bytes, 1)), buf_offset_(offset) {}

LineReader::Item LineReader::next() {
  for (;;) {
    const void* nl = std::memchr(buf_.data() + scan_, '\n', buf_.size() - scan_);
    if (nl) {
      std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
      Item item;
      item.next_offset = buf_offset_ + end + 1;
      item.length = skipped_ + (end - head_);
      if (skipping_) {
        item.kind = Kind::oversized;
        item.text = kept_;
      } else {
        item.text = std::string_view(buf_).substr(head_, end - head_);
        item.kind = item.length > max_ ? Kind::oversized : Kind::line;
        if (item.kind == Kind::oversized) item.text = item.text.substr(0, max_);
      }
      skipping_ = false;
      skipped_ = 0;
      head_ = scan_ = end + 1;
      return item;
    }
    // No '\n' in what is buffered: drop what is consumed or beyond the limit, then read on.
    if (!skipping_ && buf_.size() - head_ > max_) {
      skipping_ = true;
      kept_.assign(buf_, head_, max_);
    }
    if (skipping_) {
      skipped_ += buf_.size() - head_;
      buf_offset_ += buf_.size();
      buf_.clear();
      head_ = 0;
    } else if (head_ > 0) {
      buf_.erase(0, head_);
      buf_offset_ += head_;
      head_ = 0;
    }
    scan_ = buf_.size();

    std::size_t old = buf_.size();
    buf_.resize(old + chunk_);
    ssize_t n;
    do {
      n = ::pread(fd_, buf_.data() + old, chunk_, static_cast<off_t>(buf_offset_ + old));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      int err = n < 0 ? errno : 0;
      buf_.resize(old);
      // A partial line: forget it so that a later next() (or reader) sees it whole.
      if (skipping_) {
        buf_offset_ -= skipped_;
        skipping_ = false;
        skipped_ = 0;
      }
      Item item;
      item.kind = err ? Kind::error : Kind::end;
      item.error = err;
      return item;
    }
    buf_.resize(old + static_cast<std::size_t>(n));
  }
}

}  // namespace medgate::file_adapter
