// What the admin API may see of the running gateway. The gateway implements
// it; the admin server depends only on this, never on the runtime.
#pragma once

#include "admin/prometheus_text.h"
#include "medgate/sdk/value.h"

namespace medgate::admin {

class AdminView {
 public:
  virtual ~AdminView() = default;
  // Ready to take input: started, every target runner alive, spool not full.
  virtual bool ready() const = 0;
  virtual void write_metrics(PrometheusText& out) const = 0;
  // JSON documents for /api/v1/status, /plugins and /routes (counts and
  // names only: never record data).
  virtual sdk::Value status() const = 0;
  virtual sdk::Value plugins() const = 0;
  virtual sdk::Value routes() const = 0;
};

}  // namespace medgate::admin
