// MLLP load generator: C connections to a running medgated, each sending
// ADT^A01 messages one after another and waiting for each ACK (as a HIS
// interface engine does), for a fixed number of messages per connection.
// One thread drives all connections (epoll).
// Prints messages acknowledged per second and ACK latency percentiles.
//
//   medgate_mllp_bench --port P [--connections C] [--messages-per-connection N] [--host H]
//
// Every ACK must be AA with MSA-2 = the message's MSH-10; anything else is
// counted and makes the exit status 1. Synthetic patients only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int connections = 1;
  int per_connection = 10000;
};

// A tag unique to this run, so that a second run's messages are not
// duplicates of the first's (medgated answers a duplicate AA without
// processing it, which would measure the wrong thing).
unsigned run_tag() {
  static const unsigned tag = static_cast<unsigned>(
      (std::chrono::system_clock::now().time_since_epoch().count() ^ (::getpid() << 16)) & 0xffff);
  return tag;
}

// The control id (MSH-10) of message `seq` of connection `conn`: 16 characters.
std::string control_id(int conn, int seq) {
  char id[48];
  std::snprintf(id, sizeof id, "B%04x%03d%08d", run_tag(), conn, seq);
  return id;
}

std::string message(int conn, int seq) {
  const std::string id = control_id(conn, seq);
  char mrn[32];
  std::snprintf(mrn, sizeof mrn, "BMRN%03d%06d", conn, seq % 1000000);
  std::string m = "MSH|^~\\&|BENCH|H1|MEDGATE|HOSP|20261123083000+0800||ADT^A01^ADT_A01|";
  m += id;
  m += "|P|2.5|||||CHN|UNICODE UTF-8\rEVN|A01|20261123083000+0800\rPID|1||";
  m += mrn;
  m += "^^^H1^MR||测试^患者||19800101|F|||某路1号^^杭州市^浙江省^310000^CHN||13800000000\r"
       "PV1|1|I|心内科^01^02^H1||||||||||||||||V1|||||||||||||||||||||||||20261123080000+0800\r";
  return m;
}

int connect_to(const Options& o) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(o.port));
  ::inet_pton(AF_INET, o.host.c_str(), &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool send_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    ssize_t n = ::send(fd, s.data() + done, s.size() - done, MSG_NOSIGNAL);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Takes one complete MLLP frame off the front of `buffer` into `out`.
bool take_frame(std::string& buffer, std::string& out) {
  auto end = buffer.find("\x1c\x0d");
  if (end == std::string::npos) return false;
  auto start = buffer.find('\x0b');
  std::size_t from = start == std::string::npos || start > end ? 0 : start + 1;
  out.assign(buffer, from, end - from);
  buffer.erase(0, end + 2);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--port") o.port = std::atoi(next().c_str());
    else if (a == "--host") o.host = next();
    else if (a == "--connections") o.connections = std::atoi(next().c_str());
    else if (a == "--messages-per-connection") o.per_connection = std::atoi(next().c_str());
    else {
      std::cerr << "usage: medgate_mllp_bench --port P [--connections C] [--messages-per-connection N] [--host H]\n";
      return 2;
    }
  }
  if (o.port <= 0 || o.connections <= 0 || o.per_connection <= 0) {
    std::cerr << "medgate_mllp_bench: --port, --connections and --messages-per-connection must be positive\n";
    return 2;
  }
  // One thread drives every connection through epoll, so that the client's
  // own thread switching does not eat the two cores the server runs on.
  struct Conn {
    int fd = -1;
    int seq = 0;
    std::string id, buffer;
    std::chrono::steady_clock::time_point sent;
  };
  std::vector<Conn> conns(o.connections);
  std::vector<double> all;
  all.reserve(static_cast<std::size_t>(o.connections) * o.per_connection);
  long bad = 0, failed_connections = 0;
  int ep = ::epoll_create1(0);
  auto send_next = [&](Conn& c, int index) {
    c.id = control_id(index, c.seq);
    c.sent = std::chrono::steady_clock::now();
    return send_all(c.fd, "\x0b" + message(index, c.seq) + "\x1c\x0d");
  };
  int live = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < o.connections; ++i) {
    Conn& c = conns[i];
    c.fd = connect_to(o);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<std::uint32_t>(i);
    if (c.fd < 0 || ::epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev) != 0 || !send_next(c, i)) {
      ++failed_connections;
      continue;
    }
    ++live;
  }
  auto finish = [&](Conn& c) {
    ::epoll_ctl(ep, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    c.fd = -1;
    --live;
  };
  std::vector<epoll_event> events(o.connections);
  std::string ack;
  while (live > 0) {
    int n = ::epoll_wait(ep, events.data(), o.connections, 30000);
    if (n <= 0) {
      std::cerr << "medgate_mllp_bench: no ACK for 30 s\n";
      failed_connections += live;
      break;
    }
    for (int e = 0; e < n; ++e) {
      const int i = static_cast<int>(events[e].data.u32);
      Conn& c = conns[i];
      if (c.fd < 0) continue;
      char chunk[4096];
      ssize_t got = ::recv(c.fd, chunk, sizeof chunk, 0);
      if (got <= 0) {
        ++failed_connections;
        finish(c);
        continue;
      }
      c.buffer.append(chunk, static_cast<std::size_t>(got));
      while (c.fd >= 0 && take_frame(c.buffer, ack)) {
        all.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - c.sent).count());
        if (ack.find("\rMSA|AA|" + c.id) == std::string::npos) ++bad;
        if (++c.seq == o.per_connection) {
          finish(c);
        } else if (!send_next(c, i)) {
          ++failed_connections;
          finish(c);
        }
      }
    }
  }
  ::close(ep);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, std::size_t(p * all.size()))]; };
  std::printf("connections=%d messages=%zu seconds=%.3f acked_per_s=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
              "not_aa=%ld failed_connections=%ld\n",
              o.connections, all.size(), secs, all.size() / secs, pct(0.50), pct(0.99), all.empty() ? 0.0 : all.back(),
              bad, failed_connections);
  return bad || failed_connections ? 1 : 0;
}
