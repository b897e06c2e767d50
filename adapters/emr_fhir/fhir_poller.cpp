#include "fhir_poller.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <medgate/sdk/json.h>
#include <medgate/sdk/secrets.h>

#include "fhir_datetime.h"

namespace medgate::emr_fhir {
namespace {
using sdk::LogLevel;
using sdk::Status;
using sdk::Value;

constexpr std::size_t kMaxPageBytes = 64u << 20;
constexpr int kMaxPagesPerType = 100000;  // a server that links in a circle is not followed forever

std::string url_encode(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "+:/?#[]@!$&'()*,;=", out);
  return out;
}

// The meta.lastUpdated of a resource, or "".
std::string last_updated(const Value& resource) {
  const Value* meta = resource.find("meta");
  return meta ? std::string(meta->string_or("lastUpdated", "")) : std::string();
}


Status write_file_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    return Status::Unavailable("cannot write " + path + ": " + std::strerror(errno));
  return Status::Ok();
}
}  // namespace

Status FhirPoller::open(const std::string& state_dir) {
  if (!options_.bearer_token_file.empty())
    if (Status s = sdk::read_secret_file(options_.bearer_token_file, token_, "poll_bearer_token_file"); !s.ok())
      return s;
  cursor_path_ = state_dir + "/fhir-cursor.json";
  std::ifstream in(cursor_path_);
  if (!in) {
    for (const auto& t : options_.resource_types) cursors_[t].last_updated = options_.since;
    return Status::Ok();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  Value doc;
  if (Status s = sdk::parse_json(ss.str(), doc); !s.ok() || !doc.is_object())
    return Status::Invalid(cursor_path_ + " is damaged (" + (s.ok() ? std::string("not an object") : s.message()) +
                           "); remove it to poll from poll_since again");
  for (const auto& t : options_.resource_types) {
    PollCursor& c = cursors_[t];
    c.last_updated = options_.since;
    if (const Value* v = doc.find(t); v && v->is_object()) {
      c.last_updated = std::string(v->string_or("last_updated", options_.since));
      if (const Value* ids = v->find("ids"); ids && ids->is_array())
        for (const auto& id : ids->as_array())
          if (id.is_string()) c.ids.insert(id.as_string());
    }
  }
  return Status::Ok();
}

Status FhirPoller::save_cursors() const {
  Value doc = Value::object();
  for (const auto& [type, c] : cursors_) {
    Value v = Value::object();
    v["last_updated"] = c.last_updated;
    Value ids = Value::array();
    for (const auto& id : c.ids) ids.push_back(Value(id));
    v["ids"] = std::move(ids);
    doc[type] = std::move(v);
  }
  return write_file_atomic(cursor_path_, sdk::to_json(doc) + "\n");
}

Status FhirPoller::fetch(const std::string& url, Value& bundle) const {
  try {
    Poco::URI uri(url);
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (uri.getScheme() == "https")
      session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort());
    else
      session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
    session->setTimeout(Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout).count()));
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Accept", "application/fhir+json");
    if (!token_.empty()) req.set("Authorization", "Bearer " + token_);
    session->sendRequest(req);
    Poco::Net::HTTPResponse res;
    std::istream& in = session->receiveResponse(res);
    std::string body;
    char buf[16384];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      body.append(buf, static_cast<std::size_t>(in.gcount()));
      if (body.size() > kMaxPageBytes) return Status::Exhausted("FHIR server page larger than 64 MiB");
    }
    const int status = res.getStatus();
    if (status == 401 || status == 403)
      return Status::Unavailable("FHIR server answered " + std::to_string(status) +
                                 " (check poll_bearer_token_file)");
    if (status != 200) return Status::Unavailable("FHIR server answered " + std::to_string(status));
    if (Status s = sdk::parse_json(body, bundle); !s.ok())
      return Status::Unavailable("FHIR server sent invalid JSON: " + s.message());
    if (std::string_view(bundle.string_or("resourceType", "")) != "Bundle")
      return Status::Unavailable("FHIR server answered a search with something other than a Bundle");
    return Status::Ok();
  } catch (const Poco::Exception& e) {
    return Status::Unavailable("FHIR server unreachable: " + e.displayText());
  }
}

Status FhirPoller::poll_type(sdk::SourceContext& ctx, const std::string& type) {
  PollCursor& cursor = cursors_[type];
  std::string url = options_.base_url + "/" + type + "?_sort=_lastUpdated&_count=" +
                    std::to_string(options_.page_size);
  if (!cursor.last_updated.empty()) url += "&_lastUpdated=ge" + url_encode(cursor.last_updated);
  for (int page = 0; page < kMaxPagesPerType && !url.empty() && !ctx.stopping(); ++page) {
    Value bundle;
    if (Status s = fetch(url, bundle); !s.ok()) return s;
    // Keep what is new: after the cursor, or at it but not read before.
    Value fresh = Value::object();
    fresh["resourceType"] = "Bundle";
    fresh["type"] = "collection";
    Value entries = Value::array();
    PollCursor next = cursor;
    if (const Value* es = bundle.find("entry"); es && es->is_array())
      for (const auto& e : es->as_array()) {
        const Value* r = e.find("resource");
        if (!r || !r->is_object()) continue;
        const std::string lu = last_updated(*r), id(r->string_or("id", ""));
        const bool is_type = std::string_view(r->string_or("resourceType", "")) == type;
        if (is_type && !lu.empty()) {
          // By the moment named, not the text: a server may write one
          // instant as +08:00 and the next as Z.
          // (No cursor yet is "": every value is after it.)
          const std::string& offset = mapping_.default_utc_offset;
          const int vs_cursor = compare_instants(lu, cursor.last_updated, offset);
          if (vs_cursor < 0 || (vs_cursor == 0 && cursor.ids.count(id))) continue;  // read in an earlier pass
          const int vs_next = compare_instants(lu, next.last_updated, offset);
          if (vs_next > 0) {
            next.last_updated = lu;
            next.ids.clear();
          }
          if (vs_next >= 0) next.ids.insert(id);
        }
        entries.push_back(e);  // _include'd Patients come along for the index
      }
    if (!entries.as_array().empty()) {
      fresh["entry"] = std::move(entries);
      std::vector<FhirIssue> bundle_issues;
      std::vector<BundleEntryResult> mapped = map_bundle(fresh, mapping_, bundle_issues);
      std::vector<sdk::Record> records;
      std::size_t refused = 0;
      for (auto& m : mapped) {
        if (m.resource_type != type) continue;  // included resources only feed the index
        if (!m.result.issues.empty()) {
          if (refused++ == 0) {
            const auto& i = m.result.issues.front();
            // The page once, with the first refusal's code and place (never values).
            if (Status q = ctx.quarantine(sdk::to_json(fresh), "FHIR poll of " + type + ": " + i.code + " at " +
                                                                   i.expression);
                !q.ok())
              return q;
          }
          continue;
        }
        for (auto& rec : m.result.records) records.push_back(std::move(rec));
      }
      if (!records.empty()) {
        const std::size_t n = records.size();
        sdk::EmitResult r = ctx.emit(std::move(records));
        if (!r.status.ok()) return r.status;  // the cursor stays: the page is read again
        emitted_ += n - r.rejected.size();
      }
      if (refused) ctx.log(LogLevel::warning, std::to_string(refused) + " " + type + " resources refused (quarantined)");
    }
    cursor = std::move(next);
    if (Status s = save_cursors(); !s.ok()) return s;
    url.clear();
    if (const Value* links = bundle.find("link"); links && links->is_array())
      for (const auto& l : links->as_array())
        if (std::string_view(l.string_or("relation", "")) == "next") url = std::string(l.string_or("url", ""));
  }
  return Status::Ok();
}

Status FhirPoller::poll_once(sdk::SourceContext& ctx) {
  for (const auto& t : options_.resource_types)
    if (Status s = poll_type(ctx, t); !s.ok()) return Status(s.code(), t + ": " + s.message());
  return Status::Ok();
}

void FhirPoller::run(sdk::SourceContext& ctx) {
  auto backoff = std::chrono::milliseconds(1000);
  bool failing = false;
  while (!ctx.stopping()) {
    Status s = poll_once(ctx);
    if (!s.ok() && !ctx.stopping()) {
      if (!failing) ctx.log(LogLevel::warning, "FHIR poll failed: " + s.message() + "; retrying with backoff");
      failing = true;
      if (ctx.wait_for_stop(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(300'000));
      continue;
    }
    if (failing) ctx.log(LogLevel::info, "FHIR poll works again");
    failing = false;
    backoff = std::chrono::milliseconds(1000);
    if (ctx.wait_for_stop(options_.interval)) return;
  }
}

}  // namespace medgate::emr_fhir
