#include "his_hl7_options.h"

#include <Poco/Net/SocketAddress.h>

#include <medgate/sdk/secrets.h>

#include <cctype>

namespace medgate::his_hl7 {
namespace {
using sdk::OptionType;
using sdk::Status;
using sdk::Value;

// "CODE=member" entries of identifier_types.
bool split_mapping(const std::string& entry, std::string& code, std::string& member) {
  auto eq = entry.find('=');
  if (eq == std::string::npos || eq + 1 == entry.size()) return false;  // "=member": identifiers with no type
  code = entry.substr(0, eq);
  member = entry.substr(eq + 1);
  return true;
}

bool valid_member(const std::string& m) {
  if (m.empty() || m.size() > 64) return false;
  for (char c : m)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return m[0] >= 'a' && m[0] <= 'z';
}

bool valid_offset(const std::string& o) {
  return o == "Z" || (o.size() == 6 && (o[0] == '+' || o[0] == '-') && std::isdigit(static_cast<unsigned char>(o[1])) &&
                      std::isdigit(static_cast<unsigned char>(o[2])) && o[3] == ':' &&
                      std::isdigit(static_cast<unsigned char>(o[4])) && std::isdigit(static_cast<unsigned char>(o[5])));
}
}  // namespace

sdk::OptionList HisHl7Options::declare() {
  return {
      {"listen", OptionType::string, "host:port of the MLLP listener (port 0 picks a free one)",
       Value("127.0.0.1:2575"), false},
      {"max_connections", OptionType::integer, "concurrent MLLP connections served", Value(64), false},
      {"max_message_bytes", OptionType::size,
       "larger messages are discarded unread and answered AR (the limit is named)", Value(1 << 20), false},
      {"idle_timeout", OptionType::duration, "a connection silent this long is closed", Value(300'000), false},
      {"handler_threads", OptionType::integer,
       "threads that parse, map and commit the frames read (each a batch from every connection with input)",
       Value(4), false},
      {"tls_cert", OptionType::path, "TLS: the server certificate chain (PEM); empty: plain TCP", Value(""), false},
      {"tls_key", OptionType::path, "TLS: the private key of tls_cert (PEM, not group/world readable)", Value(""),
       false},
      {"tls_ca", OptionType::path, "TLS: when set, clients must present a certificate signed by this CA (PEM)",
       Value(""), false},
      {"default_charset", OptionType::string,
       "what an empty MSH-18 means: utf8 (common in practice), ascii (HL7's default) or gb18030", Value("utf8"),
       false},
      {"dedupe_window", OptionType::integer,
       "accepted messages (by MSH-3, MSH-4, MSH-10) remembered to acknowledge a resent one without processing it "
       "again",
       Value(100'000), false},
      {"ack_application", OptionType::string, "MSH-3 of ACKs to messages that name no receiving application",
       Value("MEDGATE"), false},
      {"ack_facility", OptionType::string, "MSH-4 of ACKs to messages that name no receiving facility", Value(""),
       false},
      {"identifier_types", OptionType::string_list,
       "PID-3 identifier type codes (CX.5, or TYPE@AUTHORITY to match CX.4 too) and the subject member each "
       "becomes, as CODE=member, e.g. MR=mrn, NNCHN=resident_id; replaces the defaults (docs/adapters/his_hl7.md)",
       Value(Value::Array{}), false},
      {"default_utc_offset", OptionType::string, "UTC offset of HL7 times that carry none, e.g. +08:00",
       Value("+08:00"), false},
      {"source_system", OptionType::string, "encounter.source_system of the records (which hospital system)",
       Value("his"), false},
  };
}

Status HisHl7Options::validate(const sdk::PluginConfig& c) {
  try {
    Poco::Net::SocketAddress address(c.get_string("listen"));
  } catch (const Poco::Exception& e) {
    return Status::Invalid("listen must be host:port, not '" + c.get_string("listen") + "' (" + e.displayText() + ")");
  }
  if (c.get_int("max_connections") < 1 || c.get_int("max_connections") > 4096)
    return Status::Invalid("max_connections must be between 1 and 4096");
  if (c.get_int("max_message_bytes") < 1024) return Status::Invalid("max_message_bytes must be at least 1024");
  if (c.get_int("idle_timeout") < 1000) return Status::Invalid("idle_timeout must be at least 1s");
  if (c.get_int("handler_threads") < 1 || c.get_int("handler_threads") > 64)
    return Status::Invalid("handler_threads must be between 1 and 64");
  const bool cert = !c.get_string("tls_cert").empty(), key = !c.get_string("tls_key").empty();
  if (cert != key) return Status::Invalid("tls_cert and tls_key go together");
  if (!cert && !c.get_string("tls_ca").empty()) return Status::Invalid("tls_ca needs tls_cert and tls_key");
  if (key) {  // like every key medgate reads: refused when others could read it
    if (Status s = sdk::check_secret_file(c.get_string("tls_key"), "tls_key"); !s.ok()) return s;
    // What start() would refuse (a key of another certificate, an unreadable
    // CA) is refused here, so that --check finds it.
    if (std::string problem = tls_problem(from(c).server); !problem.empty())
      return Status::Invalid("cannot load tls_cert, tls_key or tls_ca: " + problem);
  }
  const std::string& cs = c.get_string("default_charset");
  if (cs != "utf8" && cs != "ascii" && cs != "gb18030")
    return Status::Invalid("default_charset must be utf8, ascii or gb18030, not '" + cs + "'");
  if (c.get_int("dedupe_window") < 0) return Status::Invalid("dedupe_window must not be negative");
  for (const auto& entry : c.get_list("identifier_types")) {
    std::string code, member;
    if (!split_mapping(entry, code, member))
      return Status::Invalid("identifier_types entry '" + entry + "' must be CODE=member, e.g. MR=mrn");
    if (!valid_member(member))
      return Status::Invalid("identifier_types entry '" + entry +
                             "': the member must be a lowercase name such as mrn or resident_id");
  }
  if (!valid_offset(c.get_string("default_utc_offset")))
    return Status::Invalid("default_utc_offset must look like +08:00 or Z, not '" +
                           c.get_string("default_utc_offset") + "'");
  return check_mapping_options(from(c).mapping);
}

HisHl7Options HisHl7Options::from(const sdk::PluginConfig& c) {
  HisHl7Options o;
  o.server.listen = c.get_string("listen");
  o.server.max_connections = static_cast<std::size_t>(c.get_int("max_connections"));
  o.server.max_message_bytes = static_cast<std::size_t>(c.get_int("max_message_bytes"));
  o.server.idle_timeout = std::chrono::milliseconds(c.get_int("idle_timeout"));
  o.server.handler_threads = static_cast<std::size_t>(c.get_int("handler_threads"));
  o.server.cert_file = c.get_string("tls_cert");
  o.server.key_file = c.get_string("tls_key");
  o.server.ca_file = c.get_string("tls_ca");
  o.default_charset = c.get_string("default_charset");
  o.dedupe_window = static_cast<std::size_t>(c.get_int("dedupe_window"));
  o.application = c.get_string("ack_application");
  o.facility = c.get_string("ack_facility");
  o.mapping = default_mapping_options();
  if (auto list = c.get_list("identifier_types"); !list.empty()) {
    o.mapping.identifier_types.clear();
    for (const auto& entry : list) {
      std::string code, member;
      if (split_mapping(entry, code, member)) o.mapping.identifier_types[code] = member;
    }
  }
  o.mapping.default_utc_offset = c.get_string("default_utc_offset");
  o.mapping.source_system = c.get_string("source_system");
  return o;
}

}  // namespace medgate::his_hl7
