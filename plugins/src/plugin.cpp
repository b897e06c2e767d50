// Out-of-line key functions: the vtables and type_info of the SDK interfaces
// live in libmedgate_sdk.so, shared by the host and every plugin, so RTTI and
// exceptions work across the boundary even with -fvisibility=hidden plugins.
#include "medgate/sdk/plugin.h"

namespace medgate::sdk {

PluginContext::~PluginContext() = default;
SourceContext::~SourceContext() = default;
Source::~Source() = default;
Target::~Target() = default;
Status Target::start(TargetContext&) { return Status::Ok(); }
Status Target::flush() { return Status::Ok(); }
void Target::stop() {}

}  // namespace medgate::sdk
