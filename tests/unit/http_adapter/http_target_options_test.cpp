// The http target's option checks: what `medgated --check` reports.
#include "http_target_options.h"

#include <gtest/gtest.h>

#include "../temp_dir.h"
#include "test_config.h"

namespace {
using namespace medgate::http_adapter;
using medgate::sdk::Status;
using medgate::sdk::Value;
using medgate::testing::http_config;
using medgate::testing::TempDir;
using medgate::testing::write_file;

class HttpOptions : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_ / "secret", "s3cret\n");
    write_file(dir_ / "token", "tok\n");
    write_file(dir_ / "ca.pem", "not checked here\n", 0644);
  }
  Value base() const {
    Value v = Value::object();
    v["url"] = "https://receiver.example:8443/ingest";
    v["secret_file"] = dir_ / "secret";
    return v;
  }
  Status check(Value v) const { return HttpTargetOptions::validate(http_config(std::move(v))); }
  Status check_with(const std::string& key, Value value) const {
    Value v = base();
    v[key] = std::move(value);
    return check(std::move(v));
  }
  TempDir dir_;
};

TEST_F(HttpOptions, DefaultsAreValidAndFromReadsThem) {
  ASSERT_TRUE(check(base()).ok()) << check(base()).message();
  HttpTargetOptions o = HttpTargetOptions::from(http_config(base()));
  EXPECT_EQ(o.timeout.count(), 10000);
  EXPECT_EQ(o.max_body, 8u << 20);
  EXPECT_TRUE(o.verify_tls);
  EXPECT_TRUE(o.ca_file.empty());
  EXPECT_TRUE(o.bearer_token_file.empty());
  EXPECT_TRUE(o.headers.empty());
}

TEST_F(HttpOptions, UrlMustBeHttpOrHttpsWithHostAndNoCredentials) {
  EXPECT_NE(check_with("url", "ftp://receiver.example/x").message().find("http:// or https://"), std::string::npos);
  EXPECT_FALSE(check_with("url", "receiver.example/ingest").ok());
  EXPECT_NE(check_with("url", "http:///ingest").message().find("no host"), std::string::npos);
  EXPECT_NE(check_with("url", "https://user:pw@receiver.example/").message().find("credentials"), std::string::npos);
  EXPECT_FALSE(check_with("url", "https://receiver.example/#frag").ok());
  EXPECT_TRUE(check_with("url", "HTTP://receiver.example").ok());
}

TEST_F(HttpOptions, EndpointDefaultsPortAndPath) {
  Endpoint e;
  ASSERT_TRUE(parse_endpoint("https://receiver.example", e).ok());
  EXPECT_TRUE(e.https);
  EXPECT_EQ(e.port, 443);
  EXPECT_EQ(e.path_and_query, "/");
  ASSERT_TRUE(parse_endpoint("http://10.0.0.5:8080/a/b?x=1", e).ok());
  EXPECT_FALSE(e.https);
  EXPECT_EQ(e.host, "10.0.0.5");
  EXPECT_EQ(e.port, 8080);
  EXPECT_EQ(e.path_and_query, "/a/b?x=1");
}

TEST_F(HttpOptions, SecretFileMustExistAndBePrivate) {
  EXPECT_FALSE(check_with("secret_file", dir_ / "missing").ok());
  write_file(dir_ / "open-secret", "s3cret\n", 0644);
  Status s = check_with("secret_file", dir_ / "open-secret");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("s3cret"), std::string::npos) << "the secret must never appear in a message";
  write_file(dir_ / "empty-secret", "", 0600);
  EXPECT_FALSE(check_with("secret_file", dir_ / "empty-secret").ok());
}

TEST_F(HttpOptions, BearerTokenFileMustBePrivate) {
  EXPECT_TRUE(check_with("bearer_token_file", dir_ / "token").ok());
  write_file(dir_ / "open-token", "tok\n", 0640);
  EXPECT_FALSE(check_with("bearer_token_file", dir_ / "open-token").ok());
}

TEST_F(HttpOptions, CaFileMustBeReadable) {
  EXPECT_TRUE(check_with("ca_file", dir_ / "ca.pem").ok());
  EXPECT_NE(check_with("ca_file", dir_ / "nope.pem").message().find("ca_file"), std::string::npos);
}

TEST_F(HttpOptions, TimeoutAndMaxBodyBounds) {
  EXPECT_FALSE(check_with("timeout", Value(std::int64_t{10})).ok());
  EXPECT_FALSE(check_with("timeout", Value(std::int64_t{3600} * 1000)).ok());
  EXPECT_TRUE(check_with("timeout", Value(std::int64_t{250})).ok());
  EXPECT_FALSE(check_with("max_body", Value(std::int64_t{100})).ok());
  EXPECT_TRUE(check_with("max_body", Value(std::int64_t{1024})).ok());
}

TEST_F(HttpOptions, HeadersRefuseReservedNamesAndInlineCredentials) {
  auto headers = [&](std::string h) { return check_with("headers", Value(Value::Array{Value(std::move(h))})); };
  EXPECT_TRUE(headers("X-Tenant: clinic-7").ok());
  EXPECT_NE(headers("X-Medgate-Signature: v1=00").message().find("reserved"), std::string::npos);
  EXPECT_NE(headers("x-medgate-timestamp: 1").message().find("reserved"), std::string::npos);
  Status auth = headers("Authorization: Bearer abc");
  EXPECT_NE(auth.message().find("bearer_token_file"), std::string::npos);
  EXPECT_EQ(auth.message().find("abc"), std::string::npos) << "an inline credential must not be echoed";
  EXPECT_FALSE(headers("Cookie: session=1").ok());
  EXPECT_FALSE(headers("Content-Type: text/plain").ok());
  EXPECT_FALSE(headers("Host: elsewhere").ok());
  EXPECT_FALSE(headers("Bad Name: x").ok());
  EXPECT_FALSE(headers("no colon").ok());
  EXPECT_FALSE(headers(": empty name").ok());
  EXPECT_FALSE(headers("X-Split: a\r\nX-Injected: b").ok());
}

TEST_F(HttpOptions, FromParsesHeaders) {
  Value v = base();
  v["headers"] = Value(Value::Array{Value("X-Tenant:  clinic-7 "), Value("X-Empty:")});
  v["bearer_token_file"] = dir_ / "token";
  HttpTargetOptions o = HttpTargetOptions::from(http_config(v));
  ASSERT_EQ(o.headers.size(), 2u);
  EXPECT_EQ(o.headers[0], (std::pair<std::string, std::string>{"X-Tenant", "clinic-7"}));
  EXPECT_EQ(o.headers[1], (std::pair<std::string, std::string>{"X-Empty", ""}));
  EXPECT_EQ(o.bearer_token_file, dir_ / "token");
}

}  // namespace
