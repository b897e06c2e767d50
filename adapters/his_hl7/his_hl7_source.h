// The `his_hl7` source: HL7 v2 over MLLP from the HIS. Each message is
// parsed (sdk/hl7.h), mapped into a profile record (hl7_profile_mapper.h),
// emitted, and acknowledged in original mode only once the gateway answered.
// The messages the MLLP server hands over together (one batch from many
// connections) are emitted together, in one emit, so they share one commit:
//   AA  the record is durable for every target of its route;
//   AE  the content is wrong (unparseable, missing PID, bad identifier, ...);
//   AR  the message type, trigger or version is not supported, or the gateway
//       refused input (spool full, shutting down): send it again later.
// MSA-2 echoes MSH-10; an ERR segment says where the problem is. A message
// answered AE or AR is quarantined (encrypted at rest by the host). A message
// already accepted (same MSH-3, MSH-4, MSH-10) is answered AA again without
// being processed twice (seen_messages.h).
#pragma once

#include <medgate/sdk/event_counter.h>
#include <medgate/sdk/hl7.h>
#include <medgate/sdk/plugin.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "his_hl7_options.h"
#include "mllp_server.h"
#include "seen_messages.h"

namespace medgate::his_hl7 {

// Also counted as plugin events for /metrics (medgate_source_plugin_events_total),
// under the names in the comments.
struct HisHl7Counters {
  std::atomic<std::uint64_t> accepted{0};    // AA after emit: ack_aa
  std::atomic<std::uint64_t> duplicates{0};  // AA without processing: duplicates
  std::atomic<std::uint64_t> errors{0};      // AE: ack_ae
  std::atomic<std::uint64_t> rejects{0};     // AR: ack_ar
  std::atomic<std::uint64_t> left_out{0};    // segments of accepted messages the profile cannot hold (AA
                                             // warnings): segments_left_out
};

class HisHl7Source : public sdk::Source {
 public:
  explicit HisHl7Source(HisHl7Options options);
  sdk::Status run(sdk::SourceContext& ctx) override;

  // Answers every request of a batch (its `reply`, an unframed ACK).
  void handle_batch(std::vector<MllpRequest>& batch, sdk::SourceContext& ctx);
  // One message in, the ACK out (unframed).
  std::string handle(std::string_view bytes, sdk::SourceContext& ctx);
  // The AR for a frame over max_message_bytes.
  std::string handle_oversized(std::size_t bytes, sdk::SourceContext& ctx);
  sdk::Status open_state(sdk::SourceContext& ctx);

  const HisHl7Counters& counters() const noexcept { return counters_; }

 private:
  std::string answer(const sdk::hl7::Message& original, sdk::hl7::AckCode code,
                     std::vector<sdk::hl7::Result> errors, std::string text = {},
                     const std::vector<sdk::hl7::Result>& warnings = {});
  // Counts what an accepted message left out and logs each kind (segment,
  // field, code; never a value) the first time it is seen.
  void note_left_out(const std::vector<sdk::hl7::Result>& left_out, sdk::SourceContext& ctx);
  std::string refuse(const sdk::hl7::Message& original, std::string_view raw, sdk::SourceContext& ctx,
                     sdk::hl7::AckCode code, sdk::hl7::Result why);
  // A message parsed and mapped, waiting to be emitted.
  struct Mapped {
    std::string_view raw;
    sdk::hl7::Message message;
    std::string key;  // sender_key()
    std::vector<sdk::Record> records;
    std::vector<sdk::hl7::Result> left_out;  // warnings for its AA
    std::string* reply = nullptr;            // where its ACK goes
  };
  // Parses and maps `raw`; false when it was answered already (AE/AR into `reply`).
  bool map(std::string_view raw, sdk::SourceContext& ctx, Mapped& out, std::string& reply);
  // Emits the records of every message in one emit and answers each; every
  // key is claimed (SeenMessages::Claim::first) and is finished here.
  void emit_and_answer(std::vector<Mapped>& messages, sdk::SourceContext& ctx);
  std::string duplicate(const sdk::hl7::Message& message);
  // Adds `n` to `counter` and to the host's event of that name.
  void tally(std::atomic<std::uint64_t>& counter, std::string_view event, std::uint64_t n = 1);
  void tally_event(std::string_view event, std::uint64_t n = 1);

  HisHl7Options options_;
  sdk::hl7::ParseOptions parse_options_;
  std::unique_ptr<SeenMessages> seen_;
  std::atomic<std::uint64_t> ack_sequence_{0};
  std::string ack_id_prefix_;
  HisHl7Counters counters_;
  sdk::EventCounter* events_ = nullptr;  // the host's, from open_state(); null for a host before SDK 1.5
  std::mutex logged_mu_;
  std::set<std::string> logged_left_out_;  // kinds already logged
};

}  // namespace medgate::his_hl7
