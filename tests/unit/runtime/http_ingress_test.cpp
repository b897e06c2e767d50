// The HTTP ingress over real HTTP: routing by the longest mounted prefix, 404
// for unmounted paths, 413 over max_body_bytes (before the handler runs), 500
// when a handler throws, one owner per prefix, unmount making a path 404, and
// bearer tokens (ingress.tokens) checked before anything else.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "runtime/http_ingress.h"
#include "temp_dir.h"

namespace medgate::runtime {
namespace {

struct Reply {
  int status = 0;
  std::string body;
  std::string location;
  std::string authenticate;
};

Reply call(std::uint16_t port, const std::string& method, const std::string& path, const std::string& body = "",
           const std::string& authorization = "") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!authorization.empty()) req.set("Authorization", authorization);
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  req.setContentType("application/fhir+json");
  session.sendRequest(req) << body;
  Poco::Net::HTTPResponse res;
  std::istream& in = session.receiveResponse(res);
  Reply r;
  r.status = res.getStatus();
  std::ostringstream ss;
  Poco::StreamCopier::copyStream(in, ss);
  r.body = ss.str();
  r.location = res.get("Location", "");
  r.authenticate = res.get("WWW-Authenticate", "");
  return r;
}

class HttpIngressTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::IngressConfig c;
    c.enabled = true;
    c.listen = "127.0.0.1:0";
    c.max_body_bytes = 1024;
    server_ = std::make_unique<HttpIngressServer>(c);
    ASSERT_TRUE(server_->start().ok());
  }
  std::unique_ptr<HttpIngressServer> server_;
};

TEST_F(HttpIngressTest, RoutesByTheLongestPrefixAndPassesTheRequest) {
  ASSERT_TRUE(server_->mount("emr", "/fhir", [](const sdk::HttpRequest& r) {
    return sdk::HttpResponse{201, "application/fhir+json", {{"Location", "Patient/1"}},
                             r.method + " " + r.path + " ?" + r.query + " " + r.header("content-type") + " " + r.body};
  }).ok());
  ASSERT_TRUE(server_->mount("other", "/fhir/Special", [](const sdk::HttpRequest&) {
    return sdk::HttpResponse{200, "text/plain", {}, "special"};
  }).ok());
  Reply r = call(server_->port(), "POST", "/fhir/Patient?_format=json", "{\"a\":1}");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, "POST /fhir/Patient ?_format=json application/fhir+json {\"a\":1}");
  EXPECT_EQ(r.location, "Patient/1");
  EXPECT_EQ(call(server_->port(), "GET", "/fhir/Special/x").body, "special");
  EXPECT_EQ(call(server_->port(), "GET", "/fhir").status, 201);
  EXPECT_EQ(call(server_->port(), "GET", "/fhirish").status, 404);  // not a directory of /fhir
  EXPECT_EQ(call(server_->port(), "GET", "/wechat/callback").status, 404);
}

TEST_F(HttpIngressTest, BodyOverTheLimitIs413AndNeverReachesTheHandler) {
  std::atomic<int> calls{0};
  ASSERT_TRUE(server_->mount("emr", "/fhir", [&](const sdk::HttpRequest&) {
    ++calls;
    return sdk::HttpResponse{};
  }).ok());
  Reply r = call(server_->port(), "POST", "/fhir", std::string(2000, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("exceeds ingress.max_body_bytes (1024)"), std::string::npos) << r.body;
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(call(server_->port(), "POST", "/fhir", std::string(1024, 'x')).status, 200);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(HttpIngressTest, AThrowingHandlerGives500AndTheServerKeepsServing) {
  ASSERT_TRUE(server_->mount("emr", "/fhir", [](const sdk::HttpRequest& r) -> sdk::HttpResponse {
    if (r.path == "/fhir/boom") throw std::runtime_error("boom");
    return {};
  }).ok());
  EXPECT_EQ(call(server_->port(), "GET", "/fhir/boom").status, 500);
  EXPECT_EQ(call(server_->port(), "GET", "/fhir/fine").status, 200);
}

TEST_F(HttpIngressTest, OnePrefixOneOwnerAndUnmountStopsRouting) {
  auto ok = [](const sdk::HttpRequest&) { return sdk::HttpResponse{}; };
  ASSERT_TRUE(server_->mount("emr", "/fhir", ok).ok());
  sdk::Status taken = server_->mount("wechat", "/fhir", ok);
  EXPECT_FALSE(taken.ok());
  EXPECT_NE(taken.message().find("already mounted by source 'emr'"), std::string::npos) << taken.message();
  EXPECT_FALSE(server_->mount("x", "fhir", ok).ok());
  EXPECT_FALSE(server_->mount("x", "/fhir/", ok).ok());
  EXPECT_FALSE(server_->mount("x", "/a b", ok).ok());
  server_->unmount_all("emr");
  EXPECT_EQ(call(server_->port(), "GET", "/fhir").status, 404);
  EXPECT_TRUE(server_->mount("wechat", "/fhir", ok).ok());  // free again
}

// With ingress.tokens, nothing is routed without one of them: 401 (with
// WWW-Authenticate) before the handler or the body; a right token passes.
TEST(HttpIngressTokens, EveryRequestNeedsOneOfTheTokens) {
  testing::TempDir dir;
  const std::string emr = dir.path() + "/emr.token", other = dir.path() + "/other.token";
  for (const auto& [path, token] : {std::pair{emr, std::string(40, 'e')}, std::pair{other, std::string(40, 'o')}}) {
    std::ofstream(path) << token;
    ::chmod(path.c_str(), 0600);
  }
  config::IngressConfig c;
  c.enabled = true;
  c.listen = "127.0.0.1:0";
  c.tokens = {{emr, {}, {}}, {other, {}, {}}};
  HttpIngressServer server(c);
  ASSERT_TRUE(server.start().ok());
  std::atomic<int> calls{0};
  ASSERT_TRUE(server.mount("emr", "/fhir", [&](const sdk::HttpRequest&) {
    ++calls;
    return sdk::HttpResponse{200, "text/plain", {}, "ok"};
  }).ok());
  Reply none = call(server.port(), "POST", "/fhir", "{}");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.authenticate, "Bearer realm=\"medgate-ingress\"");
  EXPECT_EQ(call(server.port(), "POST", "/fhir", "{}", "Bearer " + std::string(40, 'x')).status, 401);
  EXPECT_EQ(call(server.port(), "POST", "/fhir", "{}", "Basic " + std::string(40, 'e')).status, 401);
  EXPECT_EQ(call(server.port(), "GET", "/nowhere", "", "Bearer " + std::string(39, 'e')).status, 401);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(call(server.port(), "POST", "/fhir", "{}", "Bearer " + std::string(40, 'e')).status, 200);
  EXPECT_EQ(call(server.port(), "POST", "/fhir", "{}", "bearer " + std::string(40, 'o')).status, 200);
  EXPECT_EQ(calls.load(), 2);
  server.stop();
}

TEST(HttpIngressTokens, AShortOrLooseTokenFileRefusesToStart) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/short.token";
  std::ofstream(path) << "short";
  ::chmod(path.c_str(), 0600);
  config::IngressConfig c;
  c.enabled = true;
  c.listen = "127.0.0.1:0";
  c.tokens = {{path, {}, {}}};
  HttpIngressServer server(c);
  sdk::Status s = server.start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("at least 16 characters"), std::string::npos) << s.message();
  std::ofstream(path) << std::string(40, 'a');
  ::chmod(path.c_str(), 0644);  // readable by others
  EXPECT_FALSE(server.start().ok());
}

TEST_F(HttpIngressTest, APortInUseRefusesToStartInsteadOfSharingIt) {
  // POCO's plain bind sets SO_REUSEPORT, with which a second server would
  // bind the same port and silently take half of the calls.
  config::IngressConfig c;
  c.enabled = true;
  c.listen = "127.0.0.1:" + std::to_string(server_->port());
  HttpIngressServer second(c);
  sdk::Status s = second.start();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("HTTP ingress cannot listen on " + c.listen), std::string::npos) << s.message();
}

}  // namespace
}  // namespace medgate::runtime
