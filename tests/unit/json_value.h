// A JSON text parsed for a test; the test fails, naming the text, when it
// does not parse.
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "medgate/sdk/json.h"

namespace medgate::testing {

inline sdk::Value json(std::string_view text) {
  sdk::Value v;
  EXPECT_TRUE(sdk::parse_json(text, v).ok()) << text;
  return v;
}

}  // namespace medgate::testing
