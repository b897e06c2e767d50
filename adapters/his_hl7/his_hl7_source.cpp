#include "his_hl7_source.h"

#include <medgate/sdk/emit_units.h>
#include <medgate/sdk/refusal.h>

#include <chrono>
#include <ctime>

namespace medgate::his_hl7 {
namespace {
namespace hl7 = sdk::hl7;
using sdk::LogLevel;
using sdk::Status;

constexpr const char* kSeenFile = "seen-messages";

// HL7 DTM of now in local time with its offset: 20261123153000+0800.
std::string hl7_now() {
  std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%S%z", &local);
  return buf;
}

hl7::Charset charset_named(const std::string& name) {
  if (name == "ascii") return hl7::Charset::ascii;
  if (name == "gb18030") return hl7::Charset::gb18030;
  return hl7::Charset::utf8;
}

// The key a resent message shares with its first copy.
std::string sender_key(const hl7::Message& m) {
  return m.sending_application() + '\x1f' + m.sending_facility() + '\x1f' + m.control_id();
}

// Where and why, without the message's content: for logs and quarantine reasons.
std::string describe(const hl7::Result& r) {
  std::string s = r.code.empty() ? std::string("error") : "HL7 error " + r.code + " (" +
                                                              std::string(hl7::error_code_text(r.code)) + ")";
  return s + " at " + r.location.to_string();
}
}  // namespace

HisHl7Source::HisHl7Source(HisHl7Options options) : options_(std::move(options)) {
  parse_options_.max_bytes = options_.server.max_message_bytes;
  parse_options_.default_charset = charset_named(options_.default_charset);
  // ACK control ids: unique across restarts (start time) and within a run (sequence).
  ack_id_prefix_ = "MG" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count()) +
                   "-";
}

Status HisHl7Source::open_state(sdk::SourceContext& ctx) {
  events_ = sdk::event_counter(ctx);
  if (seen_) return Status::Ok();
  auto seen = std::make_unique<SeenMessages>(ctx.state_dir() + "/" + kSeenFile, options_.dedupe_window);
  if (Status s = seen->open(); !s.ok()) return s;
  seen_ = std::move(seen);
  return Status::Ok();
}

std::string HisHl7Source::answer(const hl7::Message& original, hl7::AckCode code, std::vector<hl7::Result> errors,
                                 std::string text, const std::vector<hl7::Result>& warnings) {
  hl7::AckRequest request;
  request.code = code;
  request.control_id = ack_id_prefix_ + std::to_string(++ack_sequence_);
  request.timestamp = hl7_now();
  request.text = std::move(text);
  request.errors = std::move(errors);
  request.application = options_.application;
  request.facility = options_.facility;
  hl7::Message ack = hl7::build_ack(original, request, warnings);
  std::string bytes;
  if (!ack.encode(bytes).ok()) bytes = ack.serialize();  // text the charset cannot hold: answer in UTF-8
  return bytes;
}

std::string HisHl7Source::refuse(const hl7::Message& original, std::string_view raw, sdk::SourceContext& ctx,
                                 hl7::AckCode code, hl7::Result why) {
  if (code == hl7::AckCode::reject)
    tally(counters_.rejects, "ack_ar");
  else
    tally(counters_.errors, "ack_ae");
  const std::string reason = std::string(hl7::ack_code_name(code)) + ": " + describe(why);
  if (Status q = ctx.quarantine(raw, reason); !q.ok())
    ctx.log(LogLevel::error, "cannot quarantine a rejected message (" + q.message() + "); it is answered anyway");
  return answer(original, code, {std::move(why)});
}

std::string HisHl7Source::handle_oversized(std::size_t bytes, sdk::SourceContext& ctx) {
  tally(counters_.rejects, "ack_ar");
  ctx.log(LogLevel::warning, "message of " + std::to_string(bytes) + " bytes over max_message_bytes (" +
                                 std::to_string(options_.server.max_message_bytes) + ") discarded, answered AR");
  hl7::Result why = hl7::Result::failure(
      "207", {}, "message of " + std::to_string(bytes) + " bytes exceeds max_message_bytes (" +
                     std::to_string(options_.server.max_message_bytes) + ")",
      sdk::StatusCode::resource_exhausted);
  return answer(hl7::Message(), hl7::AckCode::reject, {std::move(why)});
}

bool HisHl7Source::map(std::string_view raw, sdk::SourceContext& ctx, Mapped& out, std::string& reply) {
  out.raw = raw;
  hl7::Message& message = out.message;
  if (hl7::Result r = hl7::parse(raw, message, parse_options_); !r.ok()) {
    // An unknown character set or version is not a content error.
    auto code = (r.code == "203" || r.code == "200" || r.code == "201") ? hl7::AckCode::reject : hl7::AckCode::error;
    reply = refuse(message, raw, ctx, code, std::move(r));
    return false;
  }
  if (hl7::Result r = hl7::check_header(message); !r.ok()) {
    reply = refuse(message, raw, ctx, hl7::AckCode::error, std::move(r));
    return false;
  }
  MappingResult mapped = map_message(message, options_.mapping);
  if (!mapped.error.ok()) {
    reply = refuse(message, raw, ctx, mapped.unsupported ? hl7::AckCode::reject : hl7::AckCode::error,
                   std::move(mapped.error));
    return false;
  }
  out.key = sender_key(message);
  out.records = std::move(mapped.records);
  out.left_out = std::move(mapped.left_out);
  out.reply = &reply;
  return true;
}

void HisHl7Source::note_left_out(const std::vector<hl7::Result>& left_out, sdk::SourceContext& ctx) {
  if (left_out.empty()) return;
  tally(counters_.left_out, "segments_left_out", left_out.size());
  std::lock_guard lock(logged_mu_);
  for (const hl7::Result& r : left_out) {
    const hl7::Location& l = r.location;
    std::string kind = l.segment_id + "-" + std::to_string(l.field) + " (" + r.code + " " +
                       std::string(hl7::error_code_text(r.code)) + ")";
    if (logged_left_out_.size() < 64 && logged_left_out_.insert(kind).second)
      ctx.log(LogLevel::warning, "accepted messages leave out what the profile cannot hold: " + kind +
                                     "; answered AA with an ERR warning (logged once per kind)");
  }
}

void HisHl7Source::tally(std::atomic<std::uint64_t>& counter, std::string_view event, std::uint64_t n) {
  counter += n;
  tally_event(event, n);
}

void HisHl7Source::tally_event(std::string_view event, std::uint64_t n) {
  if (events_) (void)events_->count(event, n);  // fixed names: always accepted
}

std::string HisHl7Source::duplicate(const hl7::Message& message) {
  tally(counters_.duplicates, "duplicates");
  return answer(message, hl7::AckCode::accept, {}, "duplicate of an accepted message; not processed again");
}

void HisHl7Source::emit_and_answer(std::vector<Mapped>& messages, sdk::SourceContext& ctx) {
  if (messages.empty()) return;
  // One emit for all, one unit per message (committed all or nothing):
  // message m's records are [first[m], first[m + 1]).
  std::vector<std::size_t> first, sizes;
  std::vector<sdk::Record> records;
  for (auto& m : messages) {
    first.push_back(records.size());
    sizes.push_back(m.records.size());
    for (auto& r : m.records) records.push_back(std::move(r));
  }
  first.push_back(records.size());
  sdk::EmitResult result = sdk::emit_units(ctx, std::move(records), std::move(sizes));

  std::vector<SeenMessages::Outcome> outcomes;
  outcomes.reserve(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    Mapped& m = messages[i];
    const sdk::EmitResult::Rejection* rejection = nullptr;
    for (const auto& r : result.rejected)
      if (r.index >= first[i] && r.index < first[i + 1] && (!rejection || r.index < rejection->index)) rejection = &r;
    outcomes.push_back({m.key, result.status.ok() && !rejection});
    if (!result.status.ok()) {
      sdk::Refusal refusal = sdk::refusal_for(result.status);
      tally(counters_.rejects, "ack_ar");
      *m.reply = answer(m.message, hl7::AckCode::reject,
                        {hl7::Result::failure(refusal.hl7_error_code, {}, refusal.message, result.status.code())});
    } else if (rejection) {
      // The gateway quarantined a mapped record and committed none of the
      // message's; keep the message it came from too.
      hl7::Result why = hl7::Result::failure(
          "207", {}, "record " + std::to_string(rejection->index - first[i] + 1) + " of " +
                         std::to_string(first[i + 1] - first[i]) + " refused by the gateway: " + rejection->reason +
                         "; nothing of the message was committed");
      *m.reply = refuse(m.message, m.raw, ctx, hl7::AckCode::error, std::move(why));
    } else {
      tally(counters_.accepted, "ack_aa");
      note_left_out(m.left_out, ctx);
      *m.reply = answer(m.message, hl7::AckCode::accept, {}, {}, m.left_out);
    }
  }
  // One write for every accepted key of the batch.
  if (Status s = seen_->finish_all(outcomes); !s.ok())
    ctx.log(LogLevel::warning, "cannot remember accepted messages for duplicate detection: " + s.message());
}

std::string HisHl7Source::handle(std::string_view bytes, sdk::SourceContext& ctx) {
  std::string reply;
  std::vector<Mapped> one(1);
  if (!map(bytes, ctx, one[0], reply)) return reply;
  if (seen_->claim(one[0].key) == SeenMessages::Claim::already_accepted) return duplicate(one[0].message);
  emit_and_answer(one, ctx);
  return reply;
}

void HisHl7Source::handle_batch(std::vector<MllpRequest>& batch, sdk::SourceContext& ctx) {
  std::vector<Mapped> claimed;      // emitted together
  std::vector<std::size_t> waiting;  // held by another batch (or twice in this one): one by one afterwards
  claimed.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    MllpRequest& request = batch[i];
    if (request.oversized_bytes > 0) {
      request.reply = handle_oversized(request.oversized_bytes, ctx);
      continue;
    }
    Mapped m;
    if (!map(request.message, ctx, m, request.reply)) continue;
    switch (seen_->try_claim(m.key)) {
      case SeenMessages::Claim::already_accepted: request.reply = duplicate(m.message); break;
      case SeenMessages::Claim::in_flight: waiting.push_back(i); break;
      case SeenMessages::Claim::first: claimed.push_back(std::move(m)); break;
    }
  }
  emit_and_answer(claimed, ctx);
  // This batch holds no claim now, so waiting for another one's cannot deadlock.
  for (std::size_t i : waiting) batch[i].reply = handle(batch[i].message, ctx);
}

Status HisHl7Source::run(sdk::SourceContext& ctx) {
  if (Status s = open_state(ctx); !s.ok()) return s;
  MllpHandlers handlers;
  handlers.on_batch = [&](std::vector<MllpRequest>& batch) { handle_batch(batch, ctx); };
  handlers.on_problem = [&](StreamProblem p, std::size_t n) {
    const char* what = p == StreamProblem::junk_bytes        ? "bytes outside any MLLP frame skipped"
                       : p == StreamProblem::frame_cut_short ? "bytes of a frame cut short by a new start block dropped"
                                                             : "bytes of an unfinished frame lost when the peer closed";
    ctx.log(LogLevel::warning, std::to_string(n) + " " + what);
    tally_event(p == StreamProblem::junk_bytes        ? "stream_junk"
                : p == StreamProblem::frame_cut_short ? "stream_frame_cut_short"
                                                      : "stream_frame_lost");
  };
  handlers.on_connection_error = [&](std::string_view what) {
    tally_event("connection_errors");
    ctx.log(LogLevel::warning, "MLLP connection ended: " + std::string(what));
  };
  MllpServer server(options_.server, std::move(handlers));
  try {
    server.start();
  } catch (const std::exception& e) {
    return Status::Unavailable(e.what());
  }
  ctx.log(LogLevel::info, "MLLP listening on port " + std::to_string(server.port()) +
                              (options_.server.cert_file.empty() ? "" : " (TLS)"));
  while (!ctx.wait_for_stop(std::chrono::seconds(1))) {
  }
  server.stop();
  ctx.log(LogLevel::info, std::to_string(counters_.accepted.load()) + " messages accepted, " +
                              std::to_string(counters_.duplicates.load()) + " duplicates, " +
                              std::to_string(counters_.errors.load()) + " AE, " +
                              std::to_string(counters_.rejects.load()) + " AR, " +
                              std::to_string(counters_.left_out.load()) + " segments left out");
  return Status::Ok();
}

}  // namespace medgate::his_hl7
