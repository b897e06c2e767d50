// A stand-in for an SMS sender: opens each record's channels.phone_handle
// through the host (sdk::handle_opener) and appends "SOURCE_RECORD_ID<TAB>PHONE"
// to `out`, or "SOURCE_RECORD_ID<TAB>REFUSED: reason" when the host refuses.
// Test data is synthetic; a real sender would send and forget the number.
// With `probe_out`, it also tries what a sender must not be able to do, and
// appends "WHEN<TAB>OPENED" or "WHEN<TAB>REFUSED: reason" there: opening the
// previous batch's last handle at the start of the next deliver() ("stale")
// and in flush() ("flush"), i.e. a handle of no record being delivered.
#include <medgate/sdk/export.h>
#include <medgate/sdk/handles.h>
#include <medgate/sdk/json.h>

#include <fstream>

namespace {
using namespace medgate::sdk;

class HandleSender : public Target {
 public:
  explicit HandleSender(const PluginConfig& c) : out_(c.get_string("out")), probe_out_(c.get_string("probe_out")) {}
  Status start(TargetContext& ctx) override {
    ctx_ = &ctx;
    return Status::Ok();
  }
  std::vector<Outcome> deliver(const std::vector<Delivery>& batch) override {
    probe("stale");
    std::ofstream out(out_, std::ios::app);
    HandleOpener* opener = handle_opener(*ctx_);
    for (const auto& d : batch) {
      Value record;
      if (!parse_json(d.payload, record).ok()) continue;
      const Value* id = record.find("source_record_id");
      const Value* handle = record.at_path("channels.phone_handle");
      if (!id || !handle || !handle->is_string()) continue;
      std::string phone;
      Status s = opener ? opener->open_handle(handle->as_string(), phone) : Status::Precondition("no opener");
      out << id->as_string() << "\t" << (s.ok() ? phone : "REFUSED: " + s.message()) << "\n";
      last_handle_ = handle->as_string();
    }
    out.flush();
    if (!out) return std::vector<Outcome>(batch.size(), Outcome{Outcome::Kind::retry, "cannot write " + out_});
    return std::vector<Outcome>(batch.size());
  }
  Status flush() override {
    probe("flush");
    return Status::Ok();
  }

 private:
  void probe(const char* when) {
    if (probe_out_.empty() || last_handle_.empty()) return;
    HandleOpener* opener = handle_opener(*ctx_);
    std::string phone;
    Status s = opener ? opener->open_handle(last_handle_, phone) : Status::Precondition("no opener");
    std::ofstream(probe_out_, std::ios::app) << when << "\t" << (s.ok() ? "OPENED" : "REFUSED: " + s.message())
                                             << "\n";
  }
  std::string out_, probe_out_;
  std::string last_handle_;
  TargetContext* ctx_ = nullptr;
};

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "handle_sender";
  d.version = "1.0.0";
  d.description = "test target that opens phone handles like an SMS sender";
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = {{"out", OptionType::path, "file of opened handles", Value(), true},
                       {"probe_out", OptionType::path, "file of forbidden openings tried", Value(""), false}};
  d.target->create = [](const PluginConfig& c) -> std::unique_ptr<Target> { return std::make_unique<HandleSender>(c); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
