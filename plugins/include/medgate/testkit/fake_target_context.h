// medgate plugin test kit: a TargetContext for a target plugin's tests. It
// keeps the plugin's log lines and takes stop requests (see fake_context.h).
#pragma once

#include <string>

#include "medgate/testkit/fake_context.h"

namespace medgate::testkit {

class FakeTargetContext : public FakeContext<sdk::TargetContext> {
 public:
  explicit FakeTargetContext(std::string name = "target", std::string state_dir = "/nonexistent")
      : FakeContext(std::move(name), std::move(state_dir)) {}
};

}  // namespace medgate::testkit
