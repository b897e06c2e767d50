// Which record of the batch a target is delivering holds an encrypted handle,
// and where in it: what the handle_open audit entry names when the target
// asks the host to open that handle (sdk::HandleOpener). A target may open
// only handles of the records it is delivering.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/plugin.h"

namespace medgate::runtime {

struct HandlePlace {
  std::string record_id, source, patient_token;  // from the record's envelope ("" when absent)
  std::string field;                             // dotted path of the member, e.g. channels.phone_handle
};

// Looks for `handle` as a whole string value in the payloads of `batch`,
// starting at index `hint` (targets open handles in batch order) and wrapping
// around; on success sets `hint` to the record's index. False when no record
// of the batch holds it.
bool locate_handle(const std::vector<sdk::Delivery>& batch, std::string_view handle, std::size_t& hint,
                   HandlePlace& out);

}  // namespace medgate::runtime
