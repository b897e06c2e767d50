// Opening encrypted handles (SDK 1.2). A policy's `encrypt` method writes
// contact identifiers as handles (channels.phone_handle, ...: "mgh1.KEY.DATA",
// AES-SIV) so that they cross the spool and the target plugin boundary
// unreadable. An outreach target that must reach the person (an SMS or
// WeChat sender) asks the host to open one, just before sending:
//
//   if (sdk::HandleOpener* opener = sdk::handle_opener(ctx)) {
//     std::string phone;
//     if (Status s = opener->open_handle(handle, phone); !s.ok()) ... // reject the record
//   }
//
// The host opens handles only for targets configured with
// `open_handles: true`, never for a target an analytics policy feeds, only
// while deliver() runs and only for a handle that one of the records of that
// batch holds (failed_precondition / invalid otherwise), and only after a
// handle_open audit entry naming that record is durable (unavailable when it
// cannot be written: deliver() should answer retry). It counts every opening.
// Keep the opened value in memory only as long as the send takes; never log it.
#pragma once

#include <string>
#include <string_view>

#include "medgate/sdk/plugin.h"
#include "medgate/sdk/status.h"

namespace medgate::sdk {

class MEDGATE_SDK_API HandleOpener {
 public:
  virtual ~HandleOpener();
  // Writes the identifier inside `handle` to `plain`. Fails (invalid) for a
  // handle that is malformed, modified, made with a key the host does not
  // hold, or held by none of the records being delivered;
  // (failed_precondition) when this target may not open handles or when
  // called outside deliver(); (unavailable) when the opening cannot be
  // audited or the host cannot decrypt now (out of memory): retry later.
  virtual Status open_handle(std::string_view handle, std::string& plain) = 0;
};

// The host's opener for this target's context, or nullptr when the host
// offers none (a host older than SDK 1.2).
HandleOpener* handle_opener(PluginContext& ctx);

}  // namespace medgate::sdk
