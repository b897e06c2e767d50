// An in-process HTTP(S) receiver for the http target's tests: records every
// request (headers, raw body, client address) and answers what the test's
// handler says. A handler may hold a request until release() (timeout tests).
#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace medgate::testing {

struct ReceivedRequest {
  std::string method;
  std::string uri;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::string client;  // "host:port" of the client socket
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Reply {
  Reply() = default;
  Reply(int s, std::string b, std::vector<std::pair<std::string, std::string>> h = {})
      : status(s), body(std::move(b)), headers(std::move(h)) {}
  int status = 200;
  std::string body = "ok";
  std::vector<std::pair<std::string, std::string>> headers;
  bool hold = false;  // keep the request until release(), then answer
};

class TestReceiver {
 public:
  using Handler = std::function<Reply(const ReceivedRequest&)>;
  struct Tls {
    std::string key_file;
    std::string cert_file;
  };

  explicit TestReceiver(Handler handler, const Tls* tls = nullptr) : handler_(std::move(handler)) {
    Poco::Net::ServerSocket socket;
    if (tls) {
      Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, tls->key_file,
                                                               tls->cert_file, "", Poco::Net::Context::VERIFY_NONE);
      socket = Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
    } else {
      socket = Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0));
    }
    port_ = socket.address().port();
    auto params = Poco::Net::HTTPServerParams::Ptr(new Poco::Net::HTTPServerParams);
    params->setKeepAlive(true);
    params->setMaxThreads(4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
  }

  ~TestReceiver() {
    release();
    server_->stopAll(true);
  }

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& scheme = "http", const std::string& host = "127.0.0.1") const {
    return scheme + "://" + host + ":" + std::to_string(port_) + "/ingest?src=medgate";
  }

  std::vector<ReceivedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  // Waits until `n` requests have arrived; false at the deadline.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, deadline, [&] { return requests_.size() >= n; });
  }

  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  class Handling : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handling(TestReceiver& r) : r_(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) override {
      ReceivedRequest got;
      got.method = req.getMethod();
      got.uri = req.getURI();
      for (const auto& [name, value] : req) {
        std::string n = name;
        for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        got.headers[n] = value;
      }
      Poco::StreamCopier::copyToString(req.stream(), got.body);
      got.client = req.clientAddress().toString();
      Reply reply = r_.handler_(got);
      {
        std::unique_lock lock(r_.mutex_);
        r_.requests_.push_back(got);
        r_.changed_.notify_all();
        if (reply.hold) r_.changed_.wait_for(lock, std::chrono::seconds(30), [&] { return r_.released_; });
      }
      resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
      for (const auto& [name, value] : reply.headers) resp.set(name, value);
      resp.setContentType("text/plain");
      resp.setContentLength(static_cast<std::streamsize>(reply.body.size()));
      resp.send() << reply.body;
    }

   private:
    TestReceiver& r_;
  };

  class Factory : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(TestReceiver& r) : r_(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
      return new Handling(r_);
    }

   private:
    TestReceiver& r_;
  };

  Handler handler_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<ReceivedRequest> requests_;
  bool released_ = false;
};

}  // namespace medgate::testing
