// The http target over TLS against an in-process HTTPS receiver with
// throwaway self-signed certificates (made with the openssl command):
// trusted CA delivers; unknown CA and host-name mismatch retry (never
// send); verify_tls: false accepts any certificate.
#include <gtest/gtest.h>

#include <cstdlib>

#include "../temp_dir.h"
#include "medgate/testkit/fake_target_context.h"
#include "http_target.h"
#include "test_config.h"
#include "test_receiver.h"

namespace {
using namespace medgate::http_adapter;
using medgate::sdk::Delivery;
using medgate::sdk::Outcome;
using medgate::sdk::Value;
using medgate::testkit::FakeTargetContext;
using medgate::testing::ReceivedRequest;
using medgate::testing::Reply;
using medgate::testing::TempDir;
using medgate::testing::TestReceiver;

class HttpTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    make_cert("localhost");
    make_cert("other.example");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static void make_cert(const std::string& name) {
    std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=" + name +
        " -addext subjectAltName=DNS:" + name + " -keyout " + (*dir_ / name + ".key") + " -out " +
        (*dir_ / name + ".pem") + " 2>/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static TestReceiver::Tls tls(const std::string& name) { return {*dir_ / name + ".key", *dir_ / name + ".pem"}; }

  void SetUp() override { medgate::testing::write_file(*dir_ / "secret", "tls-secret\n"); }

  Outcome deliver_one(const std::string& url, Value overrides) {
    overrides["url"] = url;
    overrides["secret_file"] = *dir_ / "secret";
    auto config = medgate::testing::http_config(overrides);
    auto valid = HttpTargetOptions::validate(config);
    EXPECT_TRUE(valid.ok()) << valid.message();
    HttpTarget target(HttpTargetOptions::from(config));
    auto s = target.start(ctx_);
    EXPECT_TRUE(s.ok()) << s.message();
    auto outcomes = target.deliver({Delivery{"k1", "p1", "{\"a\":1}"}});
    target.stop();
    return outcomes.at(0);
  }

  static TempDir* dir_;
  FakeTargetContext ctx_;
};
TempDir* HttpTls::dir_ = nullptr;

TEST_F(HttpTls, TrustedCaDelivers) {
  auto t = tls("localhost");
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{}; }, &t);
  Value v = Value::object();
  v["ca_file"] = *dir_ / "localhost.pem";
  Outcome o = deliver_one(receiver.url("https", "localhost"), v);
  EXPECT_EQ(o.kind, Outcome::Kind::delivered) << o.reason;
  ASSERT_EQ(receiver.requests().size(), 1u);
  EXPECT_FALSE(receiver.requests()[0].header("x-medgate-signature").empty());
}

TEST_F(HttpTls, UnknownCaRetriesWithoutSending) {
  auto t = tls("localhost");
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{}; }, &t);
  Outcome o = deliver_one(receiver.url("https", "localhost"), Value::object());
  EXPECT_EQ(o.kind, Outcome::Kind::retry);
  EXPECT_NE(o.reason.find("TLS"), std::string::npos) << o.reason;
  EXPECT_TRUE(receiver.requests().empty());
}

TEST_F(HttpTls, HostNameMismatchRetriesWithoutSending) {
  auto t = tls("other.example");
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{}; }, &t);
  Value v = Value::object();
  v["ca_file"] = *dir_ / "other.example.pem";
  Outcome o = deliver_one(receiver.url("https", "localhost"), v);
  EXPECT_EQ(o.kind, Outcome::Kind::retry);
  EXPECT_NE(o.reason.find("TLS"), std::string::npos) << o.reason;
  EXPECT_TRUE(receiver.requests().empty());
}

TEST_F(HttpTls, VerifyOffAcceptsAnyCertificateAndWarns) {
  auto t = tls("other.example");
  TestReceiver receiver([](const ReceivedRequest&) { return Reply{}; }, &t);
  Value v = Value::object();
  v["verify_tls"] = false;
  Outcome o = deliver_one(receiver.url("https", "localhost"), v);
  EXPECT_EQ(o.kind, Outcome::Kind::delivered) << o.reason;
  bool warned = false;
  for (const auto& line : ctx_.logs()) warned = warned || line.find("verify_tls is off") != std::string::npos;
  EXPECT_TRUE(warned);
}

}  // namespace
