// MLLP (HL7 v2 Minimal Lower Layer Protocol, release 2) framing: each message
// travels as <VT> message <FS><CR> (0x0B ... 0x1C 0x0D). The decoder turns a
// byte stream into frames, tolerating what senders get wrong (bytes between
// frames, a frame cut off by a new start byte) and refusing oversized frames
// without buffering them.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace medgate::his_hl7 {

inline constexpr char kStartBlock = '\x0b';
inline constexpr char kEndBlock = '\x1c';
inline constexpr char kCarriageReturn = '\x0d';

// `message` framed for sending.
std::string mllp_frame(std::string_view message);

struct MllpEvent {
  enum class Kind {
    message,    // a complete frame; `payload` holds it
    oversized,  // a complete frame longer than the limit; `size` bytes were discarded
    junk,       // `size` bytes outside any frame were skipped
    cut_short,  // a frame of `size` bytes was abandoned when a new start byte came
  };
  Kind kind = Kind::message;
  std::string payload;
  std::size_t size = 0;
};

class MllpDecoder {
 public:
  explicit MllpDecoder(std::size_t max_message_bytes) : max_(max_message_bytes) {}

  // Consumes `bytes`; complete events queue up for next().
  void feed(std::string_view bytes);
  // Moves the oldest event into `out`; false when none is ready.
  bool next(MllpEvent& out);
  // Bytes of an unfinished frame (0 between frames): what a closed connection loses.
  std::size_t pending_bytes() const noexcept { return state_ == State::outside ? 0 : size_; }

 private:
  enum class State { outside, inside, discarding };
  void end_frame();
  void flush_junk();

  std::size_t max_;
  State state_ = State::outside;
  bool saw_end_block_ = false;  // the last byte inside a frame was FS
  std::string frame_;
  std::size_t size_ = 0;        // bytes of the current frame, kept or discarded
  std::size_t junk_ = 0;
  std::deque<MllpEvent> events_;
};

}  // namespace medgate::his_hl7
