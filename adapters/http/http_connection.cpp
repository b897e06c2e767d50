#include "http_connection.h"

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLException.h>

#include <istream>
#include <ostream>

namespace medgate::http_adapter {
namespace {
using sdk::Status;

// The server closed a kept-alive connection between two requests: the next
// request fails before any answer, and is safe to send again once.
// (NoMessageException, ConnectionResetException, ... are all IOExceptions.)
bool stale_connection_error(const Poco::Exception& e) {
  return dynamic_cast<const Poco::IOException*>(&e) != nullptr;
}
}  // namespace

struct HttpConnection::TlsContext {
  Poco::Net::Context::Ptr context;
};

HttpConnection::HttpConnection(Endpoint endpoint, std::chrono::milliseconds timeout, TlsSettings tls)
    : endpoint_(std::move(endpoint)), timeout_(timeout), tls_(std::move(tls)) {}

HttpConnection::~HttpConnection() {
  session_.reset();
  tls_context_.reset();
}

Status HttpConnection::open() {
  if (!endpoint_.https || tls_context_) return Status::Ok();
  try {
    Poco::Net::Context::Params params;
    params.caLocation = tls_.ca_file;
    params.loadDefaultCAs = tls_.ca_file.empty();
    // STRICT, not RELAXED: POCO skips the host name check for loopback
    // peers unless the mode is STRICT.
    params.verificationMode = tls_.verify ? Poco::Net::Context::VERIFY_STRICT : Poco::Net::Context::VERIFY_NONE;
    params.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:!3DES";
    auto context = Poco::Net::Context::Ptr(new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params));
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    // Host name checks against the certificate (on by default; kept explicit).
    context->enableExtendedCertificateVerification(tls_.verify);
    tls_context_ = std::make_unique<TlsContext>(TlsContext{context});
  } catch (const Poco::Exception& e) {
    return Status::Invalid("cannot set up TLS: " + e.displayText());
  }
  return Status::Ok();
}

std::unique_ptr<Poco::Net::HTTPClientSession> HttpConnection::make_session() const {
  std::unique_ptr<Poco::Net::HTTPClientSession> s;
  if (endpoint_.https) {
    s = std::make_unique<Poco::Net::HTTPSClientSession>(endpoint_.host, endpoint_.port, tls_context_->context);
  } else {
    s = std::make_unique<Poco::Net::HTTPClientSession>(endpoint_.host, endpoint_.port);
  }
  // Never go through the process-wide proxy settings of another component.
  s->setProxyConfig(Poco::Net::HTTPClientSession::ProxyConfig());
  Poco::Timespan t(static_cast<long>(timeout_.count() / 1000), static_cast<long>((timeout_.count() % 1000) * 1000));
  s->setTimeout(t, t, t);
  s->setKeepAlive(true);
  return s;
}

void HttpConnection::exchange(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                              HttpResponse& out) {
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, endpoint_.path_and_query,
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.setContentType("application/json");
  request.setContentLength64(static_cast<Poco::Int64>(body.size()));
  request.setKeepAlive(true);
  for (const auto& [name, value] : headers) request.set(name, value);
  std::ostream& os = session_->sendRequest(request);
  os.write(body.data(), static_cast<std::streamsize>(body.size()));
  os.flush();
  if (!os) throw Poco::IOException("cannot send the request body");
  Poco::Net::HTTPResponse response;
  std::istream& is = session_->receiveResponse(response);
  out.status = static_cast<int>(response.getStatus());
  out.reason_phrase = response.getReason();
  out.retry_after = response.get("Retry-After", "");
  out.location = response.get("Location", "");
  out.body.assign(kMaxResponseBody, '\0');
  is.read(out.body.data(), static_cast<std::streamsize>(out.body.size()));
  out.body.resize(static_cast<std::size_t>(is.gcount()));
  // A longer answer than we read: drop the connection rather than drain it.
  if (is.good() && is.peek() != std::char_traits<char>::eof()) close();
  if (is.bad()) close();
}

Status HttpConnection::post(const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                            HttpResponse& out) {
  if (endpoint_.https && !tls_context_)
    if (Status s = open(); !s.ok()) return s;
  const std::string where = endpoint_.host + ":" + std::to_string(endpoint_.port);
  for (int attempt = 0;; ++attempt) {
    const bool reused = session_ && session_->connected();
    if (!session_) session_ = make_session();
    try {
      out = HttpResponse{};
      exchange(headers, body, out);
      return Status::Ok();
    } catch (const Poco::TimeoutException&) {
      close();
      return Status::Unavailable("no answer from " + where + " within " + std::to_string(timeout_.count()) + " ms");
    } catch (const Poco::Net::SSLException& e) {
      close();
      return Status::Unavailable("TLS with " + where + " failed: " + e.displayText());
    } catch (const Poco::Exception& e) {
      close();
      if (reused && attempt == 0 && stale_connection_error(e)) continue;
      return Status::Unavailable("HTTP exchange with " + where + " failed: " + e.displayText());
    } catch (const std::exception& e) {
      close();
      return Status::Unavailable("HTTP exchange with " + where + " failed: " + e.what());
    }
  }
}

void HttpConnection::close() {
  if (!session_) return;
  try {
    session_->reset();
  } catch (...) {
    // Closing a broken socket may throw; the session is dropped either way.
  }
  session_.reset();
}

}  // namespace medgate::http_adapter
