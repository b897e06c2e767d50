#include "mllp_codec.h"

namespace medgate::his_hl7 {

std::string mllp_frame(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 3);
  out.push_back(kStartBlock);
  out.append(message);
  out.push_back(kEndBlock);
  out.push_back(kCarriageReturn);
  return out;
}

void MllpDecoder::flush_junk() {
  if (junk_ == 0) return;
  events_.push_back({MllpEvent::Kind::junk, {}, junk_});
  junk_ = 0;
}

void MllpDecoder::end_frame() {
  if (state_ == State::inside)
    events_.push_back({MllpEvent::Kind::message, std::move(frame_), size_});
  else
    events_.push_back({MllpEvent::Kind::oversized, {}, size_});
  frame_.clear();
  size_ = 0;
  state_ = State::outside;
}

void MllpDecoder::feed(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (state_ == State::outside) {
      // Skip to the next start byte; everything before it is junk.
      std::size_t vt = bytes.find(kStartBlock, i);
      junk_ += (vt == std::string_view::npos ? bytes.size() : vt) - i;
      if (vt == std::string_view::npos) return;
      flush_junk();
      state_ = State::inside;
      saw_end_block_ = false;
      i = vt + 1;
      continue;
    }
    if (saw_end_block_) {
      saw_end_block_ = false;
      if (bytes[i] == kCarriageReturn) {
        ++i;
        end_frame();
        continue;
      }
      // FS not followed by CR: it was data after all.
      if (state_ == State::inside) frame_.push_back(kEndBlock);
      if (++size_ > max_ && state_ == State::inside) {
        state_ = State::discarding;
        frame_.clear();
        frame_.shrink_to_fit();
      }
    }
    // Copy up to the next byte that matters in one step: the end byte, or a
    // start byte before it (two memchr scans; find_first_of would call
    // memchr once per byte).
    std::size_t stop = bytes.find(kEndBlock, i);
    const std::size_t start_byte = bytes.substr(0, stop).find(kStartBlock, i);
    if (start_byte != std::string_view::npos) stop = start_byte;
    std::size_t end = stop == std::string_view::npos ? bytes.size() : stop;
    std::size_t n = end - i;
    if (state_ == State::inside && size_ + n > max_) {
      state_ = State::discarding;
      frame_.clear();
      frame_.shrink_to_fit();
    }
    if (state_ == State::inside) frame_.append(bytes.substr(i, n));
    size_ += n;
    i = end;
    if (stop == std::string_view::npos) return;
    if (bytes[i] == kEndBlock) {
      saw_end_block_ = true;
      ++i;
      continue;
    }
    // A start byte inside a frame: the sender gave up on the frame (or lost
    // the connection state); report it and start over.
    events_.push_back({MllpEvent::Kind::cut_short, {}, size_});
    frame_.clear();
    size_ = 0;
    state_ = State::inside;
    ++i;
  }
}

bool MllpDecoder::next(MllpEvent& out) {
  if (events_.empty()) return false;
  out = std::move(events_.front());
  events_.pop_front();
  return true;
}

}  // namespace medgate::his_hl7
