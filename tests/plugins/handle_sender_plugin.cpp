// A stand-in for an SMS sender: opens each record's channels.phone_handle
// through the host (sdk::handle_opener) and appends "SOURCE_RECORD_ID<TAB>PHONE"
// to `out`, or "SOURCE_RECORD_ID<TAB>REFUSED: reason" when the host refuses.
// Test data is synthetic; a real sender would send and forget the number.
#include <medgate/sdk/export.h>
#include <medgate/sdk/handles.h>
#include <medgate/sdk/json.h>

#include <fstream>

namespace {
using namespace medgate::sdk;

class HandleSender : public Target {
 public:
  explicit HandleSender(const PluginConfig& c) : out_(c.get_string("out")) {}
  Status start(TargetContext& ctx) override {
    ctx_ = &ctx;
    return Status::Ok();
  }
  std::vector<Outcome> deliver(const std::vector<Delivery>& batch) override {
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
    }
    out.flush();
    if (!out) return std::vector<Outcome>(batch.size(), Outcome{Outcome::Kind::retry, "cannot write " + out_});
    return std::vector<Outcome>(batch.size());
  }

 private:
  std::string out_;
  TargetContext* ctx_ = nullptr;
};

PluginDefinition define_plugin() {
  PluginDefinition d;
  d.name = "handle_sender";
  d.version = "1.0.0";
  d.description = "test target that opens phone handles like an SMS sender";
  d.target = std::make_unique<KindSpec<Target>>();
  d.target->options = {{"out", OptionType::path, "file of opened handles", Value(), true}};
  d.target->create = [](const PluginConfig& c) -> std::unique_ptr<Target> { return std::make_unique<HandleSender>(c); };
  return d;
}
}  // namespace

MEDGATE_PLUGIN(define_plugin)
