#include "medgate/sdk/handles.h"

namespace medgate::sdk {

HandleOpener::~HandleOpener() = default;

// The host's context implements HandleOpener beside TargetContext; a cross
// cast finds it. HandleOpener's type_info lives in this library (its key
// function is the destructor above), so the cast works across the plugin
// boundary with -fvisibility=hidden.
HandleOpener* handle_opener(PluginContext& ctx) { return dynamic_cast<HandleOpener*>(&ctx); }

}  // namespace medgate::sdk
