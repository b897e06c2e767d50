// Synthetic HL7 v2 messages for the hl7_* tests, shaped like the python-hl7
// and HAPI samples. Every name, id and number is made up.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include "medgate/sdk/hl7.h"

namespace hl7_samples {

// Segments joined by `separator`, each one ended by it.
inline std::string lines(std::initializer_list<std::string_view> segments, std::string_view separator = "\r") {
  std::string out;
  for (std::string_view s : segments) {
    out += s;
    out += separator;
  }
  return out;
}

inline constexpr std::string_view kAdtMsh =
    R"(MSH|^~\&|HIS|TEST HOSPITAL|MEDGATE|GATEWAY|20240501083000+0800||ADT^A01^ADT_A01|MSG00001|P|2.5|||AL|NE||UNICODE UTF-8)";
inline constexpr std::string_view kAdtEvn = "EVN|A01|20240501083000";
// PID-3: three identifiers (the third the HL7 null), PID-13: two phones.
inline constexpr std::string_view kAdtPid =
    R"(PID|1||MRN0001^^^TESTHOSP^MR~ID-TEST-0001^^^CHN^NNCHN~""||DOE^JOHN^Q||19900101|M|||1 TEST ROAD^^TESTCITY^^100000^CHN||555-0100^PRN^PH~555-0199^ORN^CP)";
inline constexpr std::string_view kAdtPv1 = "PV1|1|I|WARD1^101^1^^^N&1.2.3&ISO";
inline constexpr std::string_view kAdtObx =
    R"(OBX|1|TX|NOTE^Note||Line one\.br\pipe \F\ caret \S\ amp \T\ tilde \R\ backslash \E\|||N|||F)";
inline constexpr std::string_view kAdtNte = R"(NTE|1||\H\Important\N\ keep \Zlocal\ as is, \X48690A\ hex)";

inline std::string adt_a01(std::string_view separator = "\r") {
  return lines({kAdtMsh, kAdtEvn, kAdtPid, kAdtPv1, kAdtObx, kAdtNte}, separator);
}

// Parses or fails the test.
inline medgate::sdk::hl7::Message parsed(std::string_view bytes, const medgate::sdk::hl7::ParseOptions& o = {}) {
  medgate::sdk::hl7::Message m;
  medgate::sdk::hl7::Result r = medgate::sdk::hl7::parse(bytes, m, o);
  if (!r.ok()) ADD_FAILURE() << r.status.message();
  return m;
}

// The segment, or a failed test and an empty stand-in (never a null pointer).
inline const medgate::sdk::hl7::Segment& segment(const medgate::sdk::hl7::Message& m, std::string_view id,
                                                 std::size_t occurrence = 1) {
  if (const medgate::sdk::hl7::Segment* s = m.find(id, occurrence)) return *s;
  ADD_FAILURE() << "no segment " << id << " #" << occurrence;
  static const medgate::sdk::hl7::Message stand_in = [] {
    medgate::sdk::hl7::Message e;
    e.add_segment("MSH");
    e.add_segment("ZZZ");
    return e;
  }();
  return *stand_in.find("ZZZ");
}

}  // namespace hl7_samples
