// What a librdkafka result means for one record: delivered, retry later, or
// rejected for good (dead-letter queue). Anything not known to be permanent
// for that one record is retried: an unfamiliar error must never drop data.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>

#include "medgate/sdk/plugin.h"

namespace medgate::kafka_adapter {

sdk::Outcome outcome_for(rd_kafka_resp_err_t err, const std::string& topic);

}  // namespace medgate::kafka_adapter
